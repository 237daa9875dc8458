"""Scale-out: the partitioned "dataset" layout, on local processes or a Dask cluster.

>>> from phony_pdl.distributed import write_dataset          # doctest: +SKIP
>>> write_dataset(schema.generate(scale=10), "out/shop", client="local:4")  # doctest: +SKIP

Every part is a pure function of (PDL, seed, scale, block_rows, library versions), so the
output is byte-identical for any backend, worker count, task order, retry or resume.
"""

from .cluster import connect, parse_address
from .dataset import (
    FORMATS,
    DatasetReport,
    EntityParts,
    PartInfo,
    read_manifest,
    write_dataset,
)
from .manifest import MANIFEST, PARTIAL
from .parts import PartJob, PartResult, part_name, write_part

__all__ = [
    "FORMATS",
    "MANIFEST",
    "PARTIAL",
    "DatasetReport",
    "EntityParts",
    "PartInfo",
    "PartJob",
    "PartResult",
    "connect",
    "parse_address",
    "part_name",
    "read_manifest",
    "write_dataset",
    "write_part",
]
