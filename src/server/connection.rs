//! One task per connection: read bytes, cut requests, hand them to the executor, write
//! back the replies it returns, in order.

use super::executor::{ConnId, Inbox, Msg, Out};
use crate::resp::parse::{Parsed, RequestParser};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// Accepts connections until `shutdown` fires.
pub(crate) async fn accept_loop(
    listener: std::net::TcpListener,
    to_executor: Sender<Msg>,
    inbox: Arc<Inbox>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("redsim: cannot listen: {e}");
            return;
        }
    };
    let mut next_conn: ConnId = 0;
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    next_conn += 1;
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(connection(stream, peer.to_string(), next_conn, to_executor.clone(), inbox.clone()));
                }
                // Out of file descriptors and the like: keep serving the others.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            },
        }
    }
}

async fn connection(stream: TcpStream, addr: String, conn: ConnId, to_executor: Sender<Msg>, inbox: Arc<Inbox>) {
    let (out_tx, mut out_rx) = unbounded_channel();
    inbox.register(conn, out_tx.clone());
    if to_executor.send(Msg::Connect { conn, addr, out: out_tx }).is_err() {
        return;
    }
    let (mut reader, mut writer) = stream.into_split();
    let mut parser = RequestParser::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut reading = true;
    loop {
        tokio::select! {
            read = reader.read(&mut chunk), if reading => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    parser.feed(&chunk[..n]);
                    let mut batch = Vec::new();
                    let mut failure = None;
                    loop {
                        match parser.next_request() {
                            Parsed::Request(argv) => batch.push(argv),
                            Parsed::NeedMore => break,
                            Parsed::Error(e) => {
                                failure = Some(e);
                                break;
                            }
                        }
                    }
                    if !batch.is_empty() && to_executor.send(Msg::Requests { conn, batch }).is_err() {
                        break;
                    }
                    if let Some(error) = failure {
                        // Requests before the bad one still run; the executor replies the
                        // error after their replies and then closes us.
                        reading = false;
                        if to_executor.send(Msg::ProtocolError { conn, text: error.text().to_string() }).is_err() {
                            break;
                        }
                    }
                }
            },
            out = out_rx.recv() => {
                let close = match write_replies(&mut writer, out, &mut out_rx).await {
                    Ok(close) => close,
                    Err(_) => true,
                };
                if close {
                    let _ = writer.shutdown().await;
                    break;
                }
            }
        }
    }
    inbox.unregister(conn);
    let _ = to_executor.send(Msg::Disconnect { conn });
}

/// Writes `first` and whatever else is already waiting in one go; `Ok(true)` when the
/// connection must close.
async fn write_replies(
    writer: &mut tokio::net::tcp::OwnedWriteHalf,
    first: Option<Out>,
    rx: &mut UnboundedReceiver<Out>,
) -> std::io::Result<bool> {
    let mut bytes = match first {
        Some(Out::Bytes(b)) => b,
        Some(Out::Close) | None => return Ok(true),
    };
    let mut close = false;
    while bytes.len() < 1 << 20 {
        match rx.try_recv() {
            Ok(Out::Bytes(more)) => bytes.extend_from_slice(&more),
            Ok(Out::Close) => {
                close = true;
                break;
            }
            Err(_) => break,
        }
    }
    writer.write_all(&bytes).await?;
    Ok(close)
}
