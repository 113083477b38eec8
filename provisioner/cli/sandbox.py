import click


@click.group()
def sandbox() -> None:
    """A local Moodle for QA and tests (placeholder until the sandbox lands)."""
