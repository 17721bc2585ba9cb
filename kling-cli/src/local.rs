//! What the commands that serve on this machine share (`webhook listen`, `batch receive`,
//! `mcp --http`): binding the listener, and a request's headers as pairs.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use crate::output::CommandError;

/// A listener on `ip:port` and the address it got (port 0: any free port). A port in use is
/// this machine's state, not a network failure: a local error naming the address.
pub(crate) async fn bind(
    ip: IpAddr,
    port: u16,
) -> Result<(tokio::net::TcpListener, SocketAddr), CommandError> {
    let listener = tokio::net::TcpListener::bind((ip, port))
        .await
        .map_err(|e| kling_errors::IoError::new("listen on", format!("{ip}:{port}"), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| kling_errors::IoError::new("read the address of", "the listener", e))?;
    Ok((listener, addr))
}

/// The headers whose values are text, as (name, value) pairs (what the signature checks read).
pub(crate) fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

/// Serves `router` on `listener` and hands each event the handlers send on `events`' other
/// end to `on_event`, until it says to stop (`false`), the senders are gone, or Ctrl-C; then
/// stops the server (waiting up to 5 s for requests under way).
pub(crate) async fn serve_events<T>(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    mut events: tokio::sync::mpsc::Receiver<T>,
    mut on_event: impl FnMut(T) -> bool,
) {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            })
            .await
    });
    loop {
        tokio::select! {
            event = events.recv() => {
                let go_on = event.is_some_and(&mut on_event);
                if !go_on {
                    break;
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
}
