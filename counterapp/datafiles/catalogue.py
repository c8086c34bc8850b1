"""The procedure catalogue: the bundled demo file, or another file in the same format."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from counterapp.datafiles.jsonfile import DataFileError, read_json_object
from counterapp.datafiles.paths import resource
from counterapp.domain.errors import ValidationFailed
from counterapp.domain.procedure import Catalogue, catalogue_from_mapping

DEMO_CATALOGUE = "catalogue/demo-hanoi.json"


def load_catalogue(path: Path) -> Catalogue:
    try:
        return catalogue_from_mapping(read_json_object(path))
    except ValidationFailed as exc:
        raise DataFileError(f"{path}: {exc}") from None


@cache
def demo_catalogue() -> Catalogue:
    return load_catalogue(resource(DEMO_CATALOGUE))
