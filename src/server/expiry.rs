//! Active expiry for `redsim serve`: Redis's `serverCron` runs `activeExpireCycle` ten
//! times a second (`hz 10`), so keys whose time has passed leave DBSIZE, KEYS and INFO
//! keyspace within about 100 ms even if no command looks them up.

use super::engine_lock::lock;
use super::Core;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{interval, MissedTickBehavior};

/// How often the cycle runs: Redis's default `hz` of 10.
const CYCLE: Duration = Duration::from_millis(100);

/// Runs the expire cycle every [`CYCLE`] until the runtime stops. A busy script delays
/// it, as it delays Redis's cron.
pub(super) async fn expire_cycles(core: Arc<Core>) {
    let mut ticks = interval(CYCLE);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let mut engine = lock(&core).await;
        if engine.expire_cycle() > 0 && !engine.store.deliveries.is_empty() {
            // `expired` keyspace events.
            core.peers.deliver(&mut engine.store);
        }
    }
}
