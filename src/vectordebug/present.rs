//! The CSV rows and the text line of a packet ([`Present`]): one row per DBG_FRAME1 record,
//! for the packet as the stream decoder gives it ([`Message`]) and in typed form
//! ([`Payload`]) alike.

use core::fmt::{self, Write};

use super::frame::PacketType;
use super::message::Message;
use super::payload::Payload;
use super::record::Record;
use crate::present::{Present, Writer};

/// The CSV header of both forms.
const HEADER: &str = "offset,seq,p0,p1,p2,p3,p4,p5";

/// `offset,seq,p0,...,p5` for each record.
fn rows<W: Write + ?Sized>(offset: u64, records: impl Iterator<Item = Record>, out: &mut W) -> fmt::Result {
    let mut w = Writer::new(out);
    w.row_start(|w| {
        w.uint(offset).byte(b',');
    });
    for record in records {
        w.row().uint(record.seq.into());
        for &value in &record.payload {
            w.byte(b',').int(value.into());
        }
        w.byte(b'\n');
    }
    w.finish()
}

impl Present for Message<'_> {
    const CSV_HEADER: &'static str = HEADER;

    /// One row per record of a DBG_FRAME1 packet (`seq` and the six values); nothing for
    /// other packets.
    fn write_csv_rows<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result {
        match self.packet_type() {
            PacketType::DbgFrame1 => rows(offset, self.records(), out),
            _ => Ok(()),
        }
    }
}

impl Present for Payload<'_> {
    const CSV_HEADER: &'static str = HEADER;

    /// One row per record of a DBG_FRAME1 packet (`seq` and the six values); nothing for
    /// other packets.
    fn write_csv_rows<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result {
        match self {
            Payload::DbgFrame1 { records } => rows(offset, records.iter(), out),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectordebug::Records;
    use std::string::String;

    #[test]
    fn both_forms_give_one_row_per_record() {
        let records = [Record { seq: 7, payload: [100, -100, 0, 1, -1, 32767] }, Record { seq: 8, payload: [0; 6] }];
        let message = Payload::DbgFrame1 { records: Records::new(&records) };
        let mut wire = [0u8; 64];
        let n = message.emit(&mut wire).unwrap();
        let packet = Message::new_checked(&wire[..n], 1024).unwrap();
        let (mut typed, mut decoded) = (String::new(), String::new());
        message.write_csv_rows(3, &mut typed).unwrap();
        packet.write_csv_rows(3, &mut decoded).unwrap();
        assert_eq!(typed, "3,7,100,-100,0,1,-1,32767\n3,8,0,0,0,0,0,0\n");
        assert_eq!(decoded, typed);
        typed.clear();
        Payload::Cli { data: b"hi" }.write_csv_rows(3, &mut typed).unwrap();
        assert_eq!(typed, "");
    }
}
