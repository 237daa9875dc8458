"""`ngram`: invented strings from a trained `.phony` n-gram model (bundled or your own).

    name: { generator: ngram, model: en_US/first_names, min_length: 3, max_length: 12 }
    code: { generator: ngram, model: models/products.phony, prefix: "X-", novel: true }

`model` is a path ending in `.phony` (absolute; or relative to the folder of the
PDL file when the model is there, else to the working directory) or the name of a
bundled model: `<locale>/<name>` or a bare `<name>`, looked up for the field's
locale along xx_YY → xx → en_US → xx (generic models). `phony infer` registers the
models it trains in memory (`register_model`) under the relative paths its schema
names, so the schema generates before (or without) the files being written.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pyarrow as pa
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from ..errors import GenerationError, did_you_mean, one_of
from ..ngram.fileformat import read
from ..ngram.model import ModelError, NgramModel
from ..ngram.sample import Compiled, compile_model, sample
from ..resources import data_root
from ..types import STRING
from .context import GenContext
from .registry import Params, generator

GENERIC = "xx"  # folder of the bundled models that belong to no locale


def models_dir() -> Path:
    return data_root("generators") / "models"


@functools.cache
def bundled_models() -> tuple[str, ...]:
    """Every bundled model as `<locale>/<name>`, sorted."""
    root = models_dir()
    if not root.is_dir():
        return ()
    return tuple(
        sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.glob("*/*.phony"))
    )


def _chain(locale: str | None) -> list[str]:
    chain = []
    if locale:
        chain.append(locale)
        if "_" in locale:
            chain.append(locale.split("_")[0])
    chain += ["en_US", GENERIC]
    return list(dict.fromkeys(chain))


_IN_MEMORY: dict[str, tuple[NgramModel, Compiled]] = {}


def register_model(name: str, model: NgramModel, compiled: Compiled | None = None) -> None:
    """Make `model` the model of the `.phony` path `name` in this process (no file needed);
    `compiled`: its compiled form with the default blocklist, where the caller has it."""
    _IN_MEMORY[name] = (model, compiled if compiled is not None else compile_model(model))


def resolve_model(name: str, locale: str | None = None) -> Path:
    """The file behind a `model` parameter; ModelError (model-not-found) when there is none."""
    if name.endswith(".phony"):
        if name in _IN_MEMORY:
            return Path(name)
        path = Path(os.path.expanduser(name))
        if not path.is_file():
            raise ModelError(
                f"model file '{name}' does not exist (paths are relative to the PDL file's "
                f"folder when the model is there, else to the working directory {Path.cwd()})",
                code="model-not-found",
                path=name,
            )
        return path
    known = bundled_models()
    candidates = [name] if "/" in name else [f"{loc}/{name}" for loc in _chain(locale)]
    for c in candidates:
        if c in known:
            return models_dir() / f"{c}.phony"
    hint = did_you_mean(name, [*known, *{k.split("/", 1)[1] for k in known}])
    where = f" for locale '{locale}'" if locale and "/" not in name else ""
    raise ModelError(
        f"no bundled model '{name}'{where}"
        + (
            f"; {hint}"
            if hint
            else f"; bundled models: {one_of({k.split('/', 1)[1] for k in known})}, each as "
            "<locale>/<name> too"
            if known
            else "; no models are bundled"
        )
        + " (a path to your own model must end in .phony)",
        code="model-not-found",
        path=name,
    )


_LOADED: dict[tuple[str, int, int], tuple[NgramModel, Compiled]] = {}


def _file_key(path: Path) -> tuple[str, int, int]:
    """One version of a model file: its path, modification time and size."""
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def load_model(path: Path) -> tuple[NgramModel, Compiled]:
    """Read, check and compile a model once per process (re-read when the file changes)."""
    registered = _IN_MEMORY.get(str(path))
    if registered is not None:
        return registered
    key = _file_key(path)
    hit = _LOADED.get(key)
    if hit is None:
        model = read(path)
        hit = _LOADED[key] = (model, compile_model(model))
    return hit


_CHECKED: dict[tuple[str, int, int], None] = {}


def checked_model(path: Path) -> None:
    """Read (and so check) a model file once per version of it: a broken model is a
    validation error of the schema that names it, not a failure halfway through a run."""
    key = _file_key(path)
    if key not in _CHECKED and key not in _LOADED:
        read(path)
        _CHECKED[key] = None


class NgramParams(Params):
    model: str
    min_length: int | None = None
    max_length: int | None = None
    prefix: str = ""
    suffix: str = ""
    novel: bool = False

    @model_validator(mode="after")
    def _check(self) -> NgramParams:
        if not self.model:
            raise PydanticCustomError(
                "ngram", "`model` is empty: name a bundled model or a .phony file"
            )
        try:
            if self.model.endswith(".phony") or "/" in self.model:
                path = resolve_model(self.model)
                if str(path) not in _IN_MEMORY:  # a user's file: its content, not just its name
                    checked_model(path)
            elif not any(k.split("/", 1)[1] == self.model for k in bundled_models()):
                resolve_model(self.model)  # raises with a hint
        except ModelError as exc:
            raise PydanticCustomError("ngram", "{message}", {"message": str(exc)}) from None
        fixed = len(self.prefix) + len(self.suffix)
        for key in ("min_length", "max_length"):
            value = getattr(self, key)
            if value is not None and value < 1:
                raise PydanticCustomError("ngram", f"{key}={value}: expected an integer >= 1")
        lo, hi = self.min_length, self.max_length
        if lo is not None and hi is not None and lo > hi:
            raise PydanticCustomError("ngram", f"min_length={lo} is greater than max_length={hi}")
        if hi is not None and hi < fixed + 1:
            raise PydanticCustomError(
                "ngram",
                f"max_length={hi} leaves no room: prefix and suffix take {fixed} characters "
                "and the model adds at least one",
            )
        return self


@generator(
    "ngram",
    params=NgramParams,
    returns=STRING,
    family="ngram",
    summary="Invented strings from a `.phony` n-gram model: bundled (names, streets, "
    "companies per locale) or trained with `phony train`.",
)
def ngram(ctx: GenContext, p: NgramParams) -> pa.Array:
    try:
        path = resolve_model(p.model, ctx.locale)
        _, compiled = load_model(path)
    except ModelError as exc:
        raise GenerationError(f"{ctx.entity}.{ctx.field}: {exc}") from exc
    try:
        return sample(
            compiled,
            ctx.rows,
            lambda label: ctx.stream(label).key,
            min_length=p.min_length,
            max_length=p.max_length,
            prefix=p.prefix,
            suffix=p.suffix,
            novel=p.novel,
            name=p.model,
        )
    except GenerationError as exc:
        raise GenerationError(f"{ctx.entity}.{ctx.field}: {exc}") from exc
