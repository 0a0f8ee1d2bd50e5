//! How a client's operations enter the history: the argv an operation names when it
//! sends its first command, its outcome when it ends, and reading the history back.

use super::{faults, World};
use crate::client::{Argv, Outcome};
use crate::history::{Op, Operation, Status};
use redsim::Reply;

impl World {
    /// Fills in the argv of an operation that asked for the one its first command sends
    /// (`Operation::Command(vec![])`); takes `argv` unless the trace still needs it.
    pub(super) fn record_argv(&mut self, client: usize, argv: &mut Option<Argv>) {
        if let Some(Op {
            op: Operation::Command(recorded),
            ..
        }) = self.slots[client].current.map(|i| &mut self.history.ops[i])
        {
            if recorded.is_empty() {
                *recorded = if self.options.trace {
                    argv.clone()
                } else {
                    argv.take()
                }
                .unwrap_or_default();
            }
        }
    }

    /// Names the argv of the operation that sent `argv` (see `record_argv`) and traces
    /// the command with its reply.
    pub(super) fn record_command(
        &mut self,
        client: usize,
        argv: Argv,
        time_us: u64,
        reply: &Reply,
    ) {
        let mut argv = Some(argv);
        self.record_argv(client, &mut argv);
        if let Some(argv) = argv {
            self.trace_command(time_us, Some(client), argv, reply);
        }
    }

    /// Records that node `node` served the operation client `client` has in progress.
    pub(super) fn record_node(&mut self, client: usize, node: usize) {
        if let Some(i) = self.slots[client].current {
            self.history.ops[i].node = node as u32;
        }
    }

    /// Adds a command to the trace, when the run is traced: `client` is `None` for the
    /// admin connection and for what happens to the server itself (a restart).
    pub(super) fn trace_command(
        &mut self,
        time_us: u64,
        client: Option<usize>,
        argv: Argv,
        reply: &Reply,
    ) {
        if self.options.trace {
            self.trace.events.push(crate::trace::TraceEvent::Command {
                step: self.step,
                time_us,
                client: client.map(|c| c as u32),
                argv,
                reply: reply.clone(),
            });
        }
    }

    pub(super) fn finish_op(&mut self, index: usize, now: u64, outcome: Outcome) {
        let Outcome {
            status,
            result,
            split,
        } = outcome;
        let op = &mut self.history.ops[index];
        op.ret = Some(now);
        op.status = status;
        op.result = result;
        if matches!(&op.op, Operation::Command(argv)
            if argv.first().is_some_and(|c| c.eq_ignore_ascii_case(b"wait")))
        {
            // WAIT's reply counts replicas, not data: one logical keyspace cannot judge
            // it, so the checker takes it as unobserved.
            op.result = None;
        }
        if faults::was_killed(op) {
            op.status = Status::Fail;
        }
        let mut split = split.into_iter();
        if let Some((first, result)) = split.next() {
            op.op = first;
            op.result = result;
            let template = op.clone();
            if faults::was_refused(op) {
                op.status = Status::Fail;
            }
            for (operation, result) in split {
                let mut op = Op {
                    op: operation,
                    result,
                    ..template.clone()
                };
                if faults::was_refused(&op) {
                    op.status = Status::Fail;
                }
                self.history.ops.push(op);
            }
        }
    }

    /// The results of client `client`'s operations, in order.
    pub fn results_of(&self, client: usize) -> Vec<Option<&Reply>> {
        self.history
            .ops
            .iter()
            .filter(|op| op.client == client as u64)
            .map(|op| op.result.as_ref())
            .collect()
    }
}
