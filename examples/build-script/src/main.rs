//! The example service: a minimal HTTP server answering its health check on the port its
//! Kubernetes Deployment declares. `build.rs` writes that Deployment; both read `service.rs`.

mod service;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind(("0.0.0.0", service::PORT))?;
    eprintln!(
        "{} {} listening on :{}",
        service::NAME,
        env!("CARGO_PKG_VERSION"),
        service::PORT
    );
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut request_line = String::new();
        if BufReader::new(&stream)
            .read_line(&mut request_line)
            .is_err()
        {
            continue;
        }
        let status = match request_line.split_whitespace().nth(1) {
            Some(path) if path == service::HEALTH_PATH => "200 OK",
            _ => "404 Not Found",
        };
        // The client may be gone already; the next connection is unaffected.
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
    }
    Ok(())
}
