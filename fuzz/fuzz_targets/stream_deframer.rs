//! The stream transport's deframer (`iomt_proto::transport::Stream`, u16 length prefix)
//! over a reader that returns fuzzer-chosen chunk sizes and may fail, checked against a
//! simple model: the same frames, the same oversize/zero-length rejections (the stream
//! stays aligned after them), and the same end (EOF or I/O error). The writer side, over a
//! writer with short writes or `Ok(0)`, writes exactly `prefix ‖ frame` or fails cleanly.
#![no_main]

use arbitrary::Arbitrary;
use embedded_io::{ErrorKind, ErrorType, Read, Write};
use iomt_proto::channel::MAX_FRAME_LEN;
use iomt_proto::transport::{Stream, TransportError};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    chunks: Vec<u8>,
    fail_at: Option<u16>,
    buf_len: u16,
    write_chunks: Vec<u8>,
    data: Vec<u8>,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    chunks: &'a [u8],
    calls: usize,
    fail_at: Option<usize>,
}

impl ErrorType for Reader<'_> {
    type Error = ErrorKind;
}

impl Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if self.fail_at.is_some_and(|k| self.pos >= k) {
            return Err(ErrorKind::Other);
        }
        let end = self
            .fail_at
            .map_or(self.data.len(), |k| k.min(self.data.len()));
        let chunk = self
            .chunks
            .get(self.calls % self.chunks.len().max(1))
            .copied()
            .unwrap_or(255)
            .max(1);
        self.calls += 1;
        let n = buf.len().min(usize::from(chunk)).min(end - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Item {
    Frame(Vec<u8>),
    TooLarge(usize),
    Eof,
    Io,
}

fn model(data: &[u8], cap: usize, fail_at: Option<usize>) -> Vec<Item> {
    let (data, end) = match fail_at {
        Some(k) if k < data.len() => (&data[..k], Item::Io),
        Some(k) if k == data.len() => (data, Item::Io),
        _ => (data, Item::Eof),
    };
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let Some(prefix) = data.get(pos..pos + 2) else {
            out.push(end);
            return out;
        };
        let len = usize::from(u16::from_be_bytes([prefix[0], prefix[1]]));
        pos += 2;
        if len == 0 {
            out.push(Item::TooLarge(0));
            continue;
        }
        if data.len() - pos < len {
            out.push(end);
            return out;
        }
        if len > cap || len > MAX_FRAME_LEN {
            out.push(Item::TooLarge(len));
        } else {
            out.push(Item::Frame(data[pos..pos + len].to_vec()));
        }
        pos += len;
    }
}

struct Writer<'a> {
    out: Vec<u8>,
    chunks: &'a [u8],
    calls: usize,
}

impl ErrorType for Writer<'_> {
    type Error = ErrorKind;
}

impl Write for Writer<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        let chunk = self
            .chunks
            .get(self.calls % self.chunks.len().max(1))
            .copied()
            .unwrap_or(255);
        self.calls += 1;
        let n = buf.len().min(usize::from(chunk)); // 0 means Ok(0)
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

fuzz_target!(|input: Input| {
    let cap = usize::from(input.buf_len) % (MAX_FRAME_LEN + 64);
    let fail_at = input.fail_at.map(usize::from);
    let reader = Reader {
        data: &input.data,
        pos: 0,
        chunks: &input.chunks,
        calls: 0,
        fail_at,
    };
    let mut stream = Stream::new(reader);
    let mut buf = vec![0u8; cap];
    let mut got = Vec::new();
    loop {
        match stream.recv_frame(&mut buf) {
            Ok(frame) => {
                assert!(!frame.is_empty() && frame.len() <= cap.min(MAX_FRAME_LEN));
                got.push(Item::Frame(frame.to_vec()));
            }
            Err(TransportError::FrameTooLarge { len }) => got.push(Item::TooLarge(len)),
            Err(TransportError::UnexpectedEof) => {
                got.push(Item::Eof);
                break;
            }
            Err(TransportError::Io(_)) => {
                got.push(Item::Io);
                break;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
        assert!(got.len() <= input.data.len() + 1, "no progress");
    }
    assert_eq!(got, model(&input.data, cap, fail_at));

    // Writer: exactly prefix ‖ frame, or a clean error.
    let frame = &input.data[..input.data.len().min(MAX_FRAME_LEN + 2)];
    let mut ws = Stream::new(Writer {
        out: Vec::new(),
        chunks: &input.write_chunks,
        calls: 0,
    });
    match ws.send_frame(frame) {
        Ok(()) => {
            let w = ws.into_inner();
            assert_eq!(&w.out[..2], &(frame.len() as u16).to_be_bytes());
            assert_eq!(&w.out[2..], frame);
        }
        Err(TransportError::FrameTooLarge { len }) => assert!(len == 0 || len > MAX_FRAME_LEN),
        Err(TransportError::WriteZero) => {
            assert!(input.write_chunks.contains(&0) || input.write_chunks.is_empty())
        }
        Err(e) => panic!("unexpected {e:?}"),
    }
});
