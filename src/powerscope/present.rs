//! The CSV rows and the text line of a message ([`Present`]): one row per STREAM frame and
//! per READ_SENSOR answer with an INA219 sample, the reading also in V, mA and mW; the text
//! line of a STREAM frame is the shell line of the original documentation.

use core::fmt::{self, Write};

use super::Reply;
use super::ina219::{Ina219Sample, SensorPacket};
use super::message::Message;
use crate::present::{Present, Writer};

/// The columns of a row that a frame fills.
struct Row<'s> {
    kind: &'static str,
    runtime_id: Option<u8>,
    seq: u32,
    ts_ms: u32,
    gap: Option<u32>,
    sample: Option<&'s Ina219Sample>,
}

impl Row<'_> {
    fn write<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result {
        let mut w = Writer::new(out);
        w.uint(offset).byte(b',').str(self.kind).byte(b',');
        if let Some(id) = self.runtime_id {
            w.uint(id.into());
        }
        w.byte(b',').uint(self.seq.into()).byte(b',').uint(self.ts_ms.into()).byte(b',');
        if let Some(gap) = self.gap {
            w.uint(gap.into());
        }
        match self.sample {
            Some(s) => {
                w.byte(b',').uint(s.bus_mv.into()).byte(b',').int(s.current_ua.into());
                w.byte(b',').fixed3(s.bus_volts()).byte(b',').fixed3(s.current_ma()).byte(b',').fixed3(s.power_mw());
                w.byte(b'\n');
            }
            None => {
                w.str(",,,,,\n");
            }
        }
        w.finish()
    }
}

impl Present for Message<'_> {
    const CSV_HEADER: &'static str = "offset,type,runtime_id,seq,ts_ms,gap,bus_mv,current_ua,bus_v,current_ma,power_mw";

    /// One row per STREAM frame (`runtime_id` in revision 1; the reading when the packet is
    /// an INA219 sample, else empty columns) and per ACK of READ_SENSOR with an INA219
    /// sample (no `gap`); nothing for other messages.
    fn write_csv_rows<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result {
        let row = match self {
            Message::R0Stream(s) => {
                Row { kind: "STREAM", runtime_id: None, seq: s.seq, ts_ms: s.ts_ms, gap: Some(s.gap), sample: None }
            }
            Message::Stream(s) => Row {
                kind: "STREAM",
                runtime_id: Some(s.packet.runtime_id()),
                seq: s.seq,
                ts_ms: s.ts_ms,
                gap: Some(s.gap),
                sample: s.packet.ina219(),
            },
            Message::Ack(a) => match &a.reply {
                Reply::ReadSensor(SensorPacket::Ina219(sample)) => Row {
                    kind: "ACK",
                    runtime_id: Some(sample.runtime_id),
                    seq: a.seq,
                    ts_ms: a.ts_ms,
                    gap: None,
                    sample: Some(sample),
                },
                _ => return Ok(()),
            },
            _ => return Ok(()),
        };
        row.write(offset, out)
    }

    /// A STREAM frame: `STREAM seq=%8d ts=%10d len=%3d gap=%3d` (the shell line of the
    /// original documentation), then for an INA219 sample ` sensor=ID V.VVV V I.III mA
    /// P.PPP mW`. Other messages: `TYPE key=value ...` as for every dialect.
    #[cfg(feature = "serde")]
    fn write_text<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        let Some(line) = self.shell_line() else {
            return crate::present::text::write(self, out);
        };
        // The shell line (`r0::ShellLine`'s `Display`) without the formatting machinery.
        let mut w = Writer::new(out);
        w.str("STREAM seq=").uint_padded(line.seq.into(), 8).str(" ts=").uint_padded(line.ts_ms.into(), 10);
        w.str(" len=").uint_padded(line.len as u64, 3).str(" gap=").uint_padded(line.gap.into(), 3);
        if let Message::Stream(super::Stream { packet: SensorPacket::Ina219(s), .. }) = self {
            w.str(" sensor=").uint(s.runtime_id.into()).byte(b' ').fixed3(s.bus_volts()).str(" V ");
            w.fixed3(s.current_ma()).str(" mA ").fixed3(s.power_mw()).str(" mW");
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    #[test]
    fn samples_have_rows_in_physical_units() {
        let sample = Ina219Sample { runtime_id: 1, bus_mv: 12_012, current_ua: -400 };
        let stream = Message::Stream(super::super::Stream::new(3, 59, SensorPacket::Ina219(sample)));
        let raw = Message::Stream(super::super::Stream::new(4, 60, SensorPacket::Raw { runtime_id: 2, sample: &[1] }));
        let mut out = String::new();
        stream.write_csv_rows(0, &mut out).unwrap();
        raw.write_csv_rows(25, &mut out).unwrap();
        assert_eq!(out, "0,STREAM,1,3,59,0,12012,-400,12.012,-0.400,-4.805\n25,STREAM,2,4,60,0,,,,,\n");
        #[cfg(feature = "serde")]
        {
            out.clear();
            stream.write_text(&mut out).unwrap();
            assert_eq!(out, "STREAM seq=       3 ts=        59 len=  7 gap=  0 sensor=1 12.012 V -0.400 mA -4.805 mW");
            // The shell line as `ShellLine` prints it, for any numbers.
            for (seq, ts_ms, gap) in [(0, 0, 0), (12_345_678, 1_234_567_890, 999), (u32::MAX, u32::MAX, u32::MAX)] {
                let stream = super::super::r0::Stream { seq, ts_ms, gap, reserved: 0, payload: &[1; 300] };
                out.clear();
                Message::R0Stream(stream).write_text(&mut out).unwrap();
                assert_eq!(out, std::format!("STREAM {}", stream.shell_line()));
            }
        }
    }
}
