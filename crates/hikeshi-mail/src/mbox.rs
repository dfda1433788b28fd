//! mbox reading (mboxo/mboxrd as written by common MTAs and MUAs): messages start at a line
//! beginning `From ` at the start of the file or after an empty line; `>From ` lines (any
//! number of `>`) lose one `>`. Streams from any `BufRead`; each message comes with the
//! byte offset of its `From ` line, so a reader can resume at a known message boundary.

use std::io::BufRead;

/// Reads messages one at a time.
pub struct MboxReader<R: BufRead> {
    inner: R,
    /// Offset of the next unread byte.
    offset: u64,
    /// The `From ` line that starts the next message, already read.
    pending: Option<(u64, Vec<u8>)>,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// `start` is the byte offset `inner` is positioned at (0, or a saved position that is
    /// the start of a `From ` line).
    pub fn new(inner: R, start: u64) -> Self {
        MboxReader {
            inner,
            offset: start,
            pending: None,
            done: false,
        }
    }

    fn line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut buf = Vec::new();
        let n = self.inner.read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.offset += n as u64;
        Ok(Some(buf))
    }

    /// The next message: (offset of its `From ` line, the message bytes without it).
    pub fn next_message(&mut self) -> std::io::Result<Option<(u64, Vec<u8>)>> {
        if self.done {
            return Ok(None);
        }
        let start = match self.pending.take() {
            Some((off, _)) => off,
            None => loop {
                let at = self.offset;
                match self.line()? {
                    None => {
                        self.done = true;
                        return Ok(None);
                    }
                    Some(l) if l.starts_with(b"From ") => break at,
                    Some(_) => continue, // garbage before the first separator
                }
            },
        };
        let mut msg: Vec<u8> = Vec::new();
        let mut prev_blank = false;
        loop {
            let at = self.offset;
            let Some(l) = self.line()? else {
                self.done = true;
                break;
            };
            if prev_blank && l.starts_with(b"From ") {
                self.pending = Some((at, l));
                break;
            }
            let body = strip_eol(&l);
            prev_blank = body.is_empty();
            let gts = l.iter().take_while(|&&b| b == b'>').count();
            if gts > 0 && l[gts..].starts_with(b"From ") {
                msg.extend_from_slice(&l[1..]);
            } else {
                msg.extend_from_slice(&l);
            }
        }
        // The blank line before the next separator (or the end) belongs to the mbox format.
        if msg.ends_with(b"\r\n\r\n") {
            msg.truncate(msg.len() - 2);
        } else if msg.ends_with(b"\n\n") {
            msg.truncate(msg.len() - 1);
        }
        Ok(Some((start, msg)))
    }

    /// Offset of the next message's `From ` line (or the end): where to resume.
    pub fn position(&self) -> u64 {
        match &self.pending {
            Some((off, _)) => *off,
            None => self.offset,
        }
    }
}

fn strip_eol(l: &[u8]) -> &[u8] {
    let l = l.strip_suffix(b"\n").unwrap_or(l);
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// Writes one message in mboxrd form (for tests and benchmarks).
pub fn append_mboxrd(out: &mut Vec<u8>, sender: &str, message: &[u8]) {
    out.extend_from_slice(format!("From {sender} Thu Jan  1 00:00:00 2026\n").as_bytes());
    for line in message.split_inclusive(|&b| b == b'\n') {
        let gts = line.iter().take_while(|&&b| b == b'>').count();
        if line[gts..].starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line);
    }
    if !message.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8], start: u64) -> Vec<(u64, Vec<u8>)> {
        let mut r = MboxReader::new(&data[start as usize..], start);
        let mut out = Vec::new();
        while let Some(m) = r.next_message().expect("read") {
            out.push(m);
        }
        out
    }

    #[test]
    fn round_trip_with_from_lines_and_resume() {
        let msgs: [&[u8]; 3] = [
            b"Subject: a\n\nFrom the start\n>From quoted\n",
            b"Subject: b\r\n\r\nbody b\r\n",
            b"Subject: c\n\nlast",
        ];
        let mut data = Vec::new();
        for m in msgs {
            append_mboxrd(&mut data, "x@example.jp", m);
        }
        let got = all(&data, 0);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1, msgs[0]);
        assert_eq!(got[1].1, msgs[1]);
        assert_eq!(got[2].1, b"Subject: c\n\nlast\n");
        let resumed = all(&data, got[1].0);
        assert_eq!(resumed.len(), 2);
        assert_eq!(resumed[0].1, msgs[1]);
        assert!(all(b"", 0).is_empty());
    }
}
