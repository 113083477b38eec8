"""A real local Moodle on demand, for QA and integration tests (`provisioner sandbox ...`).

Apart from the provisioning layers: nothing here drives Moodle's admin UI. Two engines share one
interface (engine.Engine): native (system PHP + a private PostgreSQL cluster) and docker.
"""
