//! The CSV rows and the text line of a message ([`Present`]): one row per lux value of a
//! reply to DOWNLOAD or VIEW.

use core::fmt::{self, Write};

use super::message::Message;
use super::reply::Answer;
use crate::present::{Present, Writer};

impl Present for Message<'_> {
    const CSV_HEADER: &'static str = "offset,id,request,position,lux";

    /// For a reply to DOWNLOAD, one row with its value (position 0); for a reply to VIEW,
    /// one row per value with its position in the device's store (the frame's start
    /// offset plus its index); nothing for other messages.
    fn write_csv_rows<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result {
        let Message::Reply(reply) = self else {
            return Ok(());
        };
        let request = reply.request.map_or("", |code| code.name());
        let mut w = Writer::new(out);
        w.row_start(|w| {
            w.uint(offset).byte(b',').uint(reply.frame.id.into()).byte(b',').str(request).byte(b',');
        });
        match reply.answer {
            Some(Answer::Lux(lux)) => {
                w.row().byte(b'0').byte(b',').uint(lux.into()).byte(b'\n');
            }
            Some(Answer::View { offset: start, values }) => {
                for (position, lux) in (u64::from(start)..).zip(values.iter()) {
                    w.row().uint(position).byte(b',').uint(lux.into()).byte(b'\n');
                }
            }
            _ => {}
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ascii_crc8::{Address, CommandCode, FrameRepr, Reply};
    use std::string::String;

    #[test]
    fn replies_to_download_and_view_have_rows() {
        let reply = |data, request| {
            let frame = FrameRepr::new(Address::STM, Address::PC, 4, data);
            Message::Reply(Reply::parse(frame, Some(request)))
        };
        let mut out = String::new();
        reply(b"0042", CommandCode::Download).write_csv_rows(9, &mut out).unwrap();
        reply(b"0700120013", CommandCode::View).write_csv_rows(10, &mut out).unwrap();
        reply(b"00", CommandCode::Start).write_csv_rows(11, &mut out).unwrap();
        assert_eq!(out, "9,4,DOWNLOAD,0,42\n10,4,VIEW,7,12\n10,4,VIEW,8,13\n");
    }
}
