import click


@click.command()
def run() -> None:
    """Provision a site from a playbook (placeholder)."""
