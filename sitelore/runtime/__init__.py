"""The job runtime that ``sitelore serve`` and ``sitelore worker`` share: the backend of
the settings (:mod:`.backends`) and what runs beside HTTP, or without it (:mod:`.background`:
job workers, the webhook sender, housekeeping, the event listener)."""
