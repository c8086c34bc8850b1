"""The counter's sync engine (SYNC.md): the push/pull loop and its status (``engine``), the mirror of the
centre in the local cache (``mirror``) and enrolment (``enrollment``). A use case above the services and
the store; the wire protocol it speaks is ``counterapp.protocol``."""
