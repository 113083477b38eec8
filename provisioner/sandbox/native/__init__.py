"""The native engine: the system's PHP (php -S) and a private PostgreSQL cluster per sandbox."""
