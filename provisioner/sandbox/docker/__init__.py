"""The docker engine: docker/moodle-compose.yml realised through the Docker SDK."""
