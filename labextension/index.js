// The learner's JupyterLab (etc/learner, deploy/learner): two small fixes to how a lesson runs.
//
// 1. Run waits for the kernel. Pressed in the first moments after a lesson opens, Run All
//    used to run nothing: JupyterLab gives up on cells sent before the notebook's kernel
//    session exists (jupyterlab/jupyterlab#8490, open upstream). The course's cell executor,
//    which JupyterLab's own INotebookCellExecutor token lets an extension provide, holds each
//    code cell until the kernel is connected and has answered, then hands it to JupyterLab's
//    own runCell. JupyterLab's executor is switched off in the learner's page_config.json,
//    since only one can be set.
// 2. Run All keeps the learner's place. JupyterLab makes the last cell active after Run All
//    (from the Run menu, the palette, or Restart and Run All) and scrolls to it, so a learner
//    reading the top of a lesson was taken to its end. Here the cell the learner was on stays
//    active and in view.
import { INotebookCellExecutor, INotebookTracker, runCell } from '@jupyterlab/notebook';

// Each kernel's gate: one promise that every cell of a Run All waits on, so the cells still
// reach the kernel in their order once it opens. Kept while it is pending, or while the
// kernel stays connected; a kernel that lost its connection gets a new one.
const gates = new WeakMap();

function signalled(signal, test) {
  return new Promise(resolve => {
    const listener = (sender, value) => {
      if (test(value)) {
        signal.disconnect(listener);
        resolve();
      }
    };
    signal.connect(listener);
  });
}

function gate(sessionContext) {
  const kernel = sessionContext.session?.kernel;
  if (!kernel) {
    return Promise.resolve(); // still none once the session is ready: JupyterLab's runCell says so
  }
  const known = gates.get(kernel);
  if (known && (!known.open || kernel.connectionStatus === 'connected')) {
    return known.promise;
  }
  const entry = { open: false };
  entry.promise = (kernel.connectionStatus === 'connected'
    ? Promise.resolve()
    : signalled(kernel.connectionStatusChanged, status => status === 'connected')
  )
    .then(() => kernel.info)
    .catch(() => undefined) // a kernel that failed to start: JupyterLab's runCell reports it
    .then(() => {
      entry.open = true;
    });
  gates.set(kernel, entry);
  return entry.promise;
}

// How many cells of each notebook (by model) were handed to the executor in the current
// task: Run All hands over every cell at once, before it makes the last cell active.
const scheduled = new WeakMap();

function noteScheduled(model) {
  if (!scheduled.has(model)) {
    queueMicrotask(() => scheduled.delete(model));
  }
  scheduled.set(model, (scheduled.get(model) ?? 0) + 1);
}

const cellExecutor = {
  id: 'peercourse-learner:cell-executor',
  description: 'Runs a cell only once its kernel is connected.',
  autoStart: true,
  provides: INotebookCellExecutor,
  activate: () =>
    Object.freeze({
      async runCell(options) {
        noteScheduled(options.notebook);
        const sessionContext = options.sessionContext;
        if (sessionContext && options.cell.model.type === 'code') {
          await sessionContext.ready; // the session, and so the kernel, exists
          await gate(sessionContext);
        }
        return runCell(options);
      }
    })
};

const keepPlace = {
  id: 'peercourse-learner:run-all-keeps-place',
  description: "After Run All, the learner's cell stays active and in view.",
  autoStart: true,
  requires: [INotebookTracker],
  activate: (app, tracker) => {
    tracker.widgetAdded.connect((sender, panel) => {
      const notebook = panel.content;
      let place = notebook.activeCellIndex;
      notebook.activeCellChanged.connect(() => {
        const was = place;
        place = notebook.activeCellIndex;
        const last = notebook.widgets.length - 1;
        const runAll = notebook.model && scheduled.get(notebook.model) === notebook.widgets.length;
        if (!runAll || place !== last || was < 0 || was >= last) {
          return;
        }
        // After Run All has finished its own steps, which include a scroll to the last cell:
        // a newer scroll request replaces that one.
        queueMicrotask(() => {
          if (!notebook.isDisposed && was < notebook.widgets.length) {
            notebook.activeCellIndex = was;
            void notebook.scrollToItem(was, 'smart').catch(() => undefined);
          }
        });
      });
    });
  }
};

export default [cellExecutor, keepPlace];
