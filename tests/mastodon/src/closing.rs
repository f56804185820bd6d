//! A front that treats connections the way snac does (`../shared/FACTS.md`): it answers over
//! HTTP/1.1 without `Connection: close`, so clients keep the connection for the next request,
//! but it is done with the socket after one response. Real snac closes it at once and a
//! client loses the race about a third of the time; here the next request on a kept
//! connection is read and dropped unanswered every time, so the failure is certain.

use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub(crate) async fn serve(listener: TcpListener, upstream: SocketAddr) {
    while let Ok((client, _)) = listener.accept().await {
        tokio::spawn(async move {
            let _ = one_exchange(client, upstream).await;
        });
    }
}

async fn one_exchange(mut client: TcpStream, upstream: SocketAddr) -> std::io::Result<()> {
    let Some(request) = read_message(&mut client).await? else {
        return Ok(());
    };
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&request).await?;
    let Some(response) = read_message(&mut server).await? else {
        return Ok(());
    };
    client.write_all(&response).await?;
    // The client thinks the connection is still good; whatever it sends next is lost.
    let mut next = [0u8; 1024];
    let _ = client.read(&mut next).await;
    Ok(())
}

/// One HTTP/1.1 message: its head and a `content-length` body (the API's answers always
/// have one). `None` when the peer closed before sending anything.
async fn read_message(stream: &mut (impl AsyncRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = message.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Ok(None);
        }
        message.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&message[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while message.len() < head_end + length {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        message.extend_from_slice(&buffer[..read]);
    }
    Ok(Some(message))
}
