"""Background jobs: the store, the queue, the worker loop, events and webhook deliveries."""
