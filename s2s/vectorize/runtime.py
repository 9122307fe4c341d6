"""Runtime helpers of batched code. They live with the other helpers of generated code
(`s2s.diff.runtime`, which `s2s dump -o` copies into standalone files) and are re-exported
here for the vectorize package."""
from ..diff.runtime import batch_alloc, batch_set, move_batch_axis  # noqa: F401
