"""sitelore's knowledge in other frameworks, as optional extras.

- :mod:`sitelore.integrations.langchain`: ``SiteloreLoader``, a LangChain document loader
  (``pip install 'sitelore[langchain]'``);
- :mod:`sitelore.integrations.llamaindex`: ``SiteloreReader``, a LlamaIndex reader
  (``pip install 'sitelore[llamaindex]'``).

Both are thin: which knowledge to read and how is :mod:`sitelore.integrations.items`,
which imports no framework. Nothing else in sitelore imports these modules, so
``import sitelore`` never loads a framework.
"""
