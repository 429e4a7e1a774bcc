"""nbconvert ExecutePreprocessor that tolerates kernels (Deno 2.x) that publish
status:idle on IOPub *before* some of the cell's outputs (execute_result,
display_data, stream).  Stock nbclient stops collecting at idle, so those
outputs are silently dropped (flaky, ~1 run in 3 for a 4-cell notebook).

After idle, keep draining IOPub until `grace` seconds pass with no message
for this cell.

Use:
  PYTHONPATH=/path/to/this/dir jupyter nbconvert --to notebook \
    --NotebookExporter.preprocessors='["deno_exec.GraceExecutePreprocessor"]' \
    --ExecutePreprocessor.timeout=600 --output out.ipynb nb.ipynb
(do NOT also pass --execute, or the stock preprocessor runs the notebook too)
"""
from queue import Empty

from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Bool, Float


class GraceExecutePreprocessor(ExecutePreprocessor):
    enabled = Bool(True).tag(config=True)
    grace = Float(0.3, help="seconds of IOPub silence to wait for after status:idle").tag(config=True)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                break
        # drain late messages that belong to this cell
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.grace))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            if msg["msg_type"] == "status":
                continue
            self.process_message(msg, cell, cell_index)
