//! CLUSTER: redsim is never a cluster node, as a Redis started without `cluster-enabled`,
//! whose `clusterCommand` answers every subcommand "This instance has cluster support
//! disabled". The subcommands are still in the command table with Redis's arity and flags,
//! because other rules read them: a script calling `CLUSTER RESET` is refused as a
//! `noscript` command ("This Redis command is not allowed from script"), not as unknown;
//! COMMAND INFO and arity errors describe them as Redis does. READONLY, READWRITE and
//! ASKING, the cluster's connection commands, answer the same.

use super::{flags::*, CommandSpec, Ctx};
use crate::resp::Reply;

const ADMIN_SUB: u32 = NO_ASYNC_LOADING | ADMIN | STALE;
const ADMIN_ACL: &str = "admin slow dangerous";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("readonly", 1, LOADING | STALE | FAST, disabled).acl("fast connection"),
    CommandSpec::new("readwrite", 1, LOADING | STALE | FAST, disabled).acl("fast connection"),
    CommandSpec::new("asking", 1, FAST, disabled).acl("fast connection"),
    CommandSpec::new("cluster", -2, 0, disabled)
        .acl("slow")
        .subcommands(&[
            CommandSpec::new("addslots", -3, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("addslotsrange", -4, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("bumpepoch", 2, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("count-failure-reports", 3, ADMIN | STALE, disabled).acl(ADMIN_ACL),
            CommandSpec::new("countkeysinslot", 3, STALE, disabled).acl("slow"),
            CommandSpec::new("delslots", -3, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("delslotsrange", -4, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("failover", -2, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("flushslots", 2, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("forget", 3, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("getkeysinslot", 4, STALE, disabled).acl("slow"),
            CommandSpec::new("help", 2, LOADING | STALE, disabled).acl("slow"),
            CommandSpec::new("info", 2, STALE, disabled).acl("slow"),
            CommandSpec::new("keyslot", 3, STALE, disabled).acl("slow"),
            CommandSpec::new("links", 2, STALE, disabled).acl("slow"),
            CommandSpec::new("meet", -4, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("myid", 2, STALE, disabled).acl("slow"),
            CommandSpec::new("nodes", 2, STALE, disabled).acl("slow"),
            CommandSpec::new("replicas", 3, ADMIN | STALE, disabled).acl(ADMIN_ACL),
            CommandSpec::new("replicate", 3, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("reset", -2, ADMIN | STALE | NOSCRIPT, disabled).acl(ADMIN_ACL),
            CommandSpec::new("saveconfig", 2, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("set-config-epoch", 3, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("setslot", -4, ADMIN_SUB, disabled).acl(ADMIN_ACL),
            CommandSpec::new("shards", 2, STALE, disabled).acl("slow"),
            CommandSpec::new("slaves", 3, ADMIN | STALE, disabled).acl(ADMIN_ACL),
            CommandSpec::new("slots", 2, STALE, disabled).acl("slow"),
        ]),
];

/// Every subcommand, as Redis without cluster support.
fn disabled(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> Reply {
    Reply::error("ERR This instance has cluster support disabled")
}
