"""The checks of an upload as named stages, one module each, run in order by
:mod:`mstatlas.io.pipeline`. Every stage is a function ``stage(ctx) -> None`` over one
:class:`~mstatlas.io.context.Context`."""
