import click


@click.command()
def verify() -> None:
    """Verify a token over REST (placeholder)."""


@click.command()
def doctor() -> None:
    """Diagnose a broken connection (placeholder)."""
