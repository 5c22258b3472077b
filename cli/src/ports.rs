//! `ports`: the serial ports of this machine.

use std::io::{self, Write};

use serialport::{SerialPortInfo, SerialPortType};

use crate::cli_error::CliError;

/// Runs `ports`: one line per serial port, or a line saying there are none.
pub fn run() -> Result<(), CliError> {
    let mut ports = available_ports()?;
    ports.sort_by(|a, b| a.port_name.cmp(&b.port_name));
    let mut out = io::stdout().lock();
    for line in lines(&ports) {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// The ports serialport finds. On Linux it is built without libudev and reads
/// `/sys/class/tty` itself (USB VID:PID, serial number, manufacturer and product from the
/// device's sysfs attributes); it panics where that folder is missing (some containers), so
/// that case is answered here: no serial ports.
fn available_ports() -> Result<Vec<SerialPortInfo>, CliError> {
    const SYS_CLASS_TTY: &str = "/sys/class/tty";
    if cfg!(target_os = "linux") && !std::path::Path::new(SYS_CLASS_TTY).is_dir() {
        return Ok(Vec::new());
    }
    serialport::available_ports().map_err(|e| CliError::msg(format!("cannot list the serial ports: {e}")))
}

/// The output lines for `ports`, names padded to one column.
fn lines(ports: &[SerialPortInfo]) -> Vec<String> {
    if ports.is_empty() {
        return vec!["no serial ports found".to_string()];
    }
    let width = ports.iter().map(|p| p.port_name.chars().count()).max().unwrap_or(0);
    ports.iter().map(|p| format!("{:<width$}  {}", p.port_name, describe(&p.port_type))).collect()
}

/// The type of a port, and for USB its `VID:PID` and the strings the device reports.
fn describe(kind: &SerialPortType) -> String {
    match kind {
        SerialPortType::UsbPort(usb) => {
            let mut text = format!("USB {:04x}:{:04x}", usb.vid, usb.pid);
            let known = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
            let details: Vec<String> = [
                ("manufacturer", known(&usb.manufacturer)),
                ("product", known(&usb.product)),
                ("serial", known(&usb.serial_number)),
            ]
            .into_iter()
            .filter_map(|(label, value)| value.map(|v| format!("{label}: {v}")))
            .collect();
            if !details.is_empty() {
                text.push_str("  ");
                text.push_str(&details.join(", "));
            }
            text
        }
        SerialPortType::PciPort => "PCI".to_string(),
        SerialPortType::BluetoothPort => "Bluetooth".to_string(),
        SerialPortType::Unknown => "unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serialport::UsbPortInfo;

    fn usb(manufacturer: Option<&str>, product: Option<&str>, serial: Option<&str>) -> SerialPortType {
        SerialPortType::UsbPort(UsbPortInfo {
            vid: 0x0483,
            pid: 0x5740,
            serial_number: serial.map(str::to_owned),
            manufacturer: manufacturer.map(str::to_owned),
            product: product.map(str::to_owned),
        })
    }

    #[test]
    fn usb_ports_show_vid_pid_and_the_known_strings() {
        assert_eq!(
            describe(&usb(Some("STMicroelectronics"), Some("STM32 Virtual ComPort"), Some("6D8A3B5C"))),
            "USB 0483:5740  manufacturer: STMicroelectronics, product: STM32 Virtual ComPort, serial: 6D8A3B5C"
        );
        assert_eq!(describe(&usb(None, Some("CP2102"), Some(" "))), "USB 0483:5740  product: CP2102");
        assert_eq!(describe(&usb(None, None, None)), "USB 0483:5740");
    }

    #[test]
    fn other_port_types() {
        assert_eq!(describe(&SerialPortType::PciPort), "PCI");
        assert_eq!(describe(&SerialPortType::BluetoothPort), "Bluetooth");
        assert_eq!(describe(&SerialPortType::Unknown), "unknown");
    }

    #[test]
    fn names_are_padded_to_one_column_and_no_ports_says_so() {
        let ports = vec![
            SerialPortInfo { port_name: "/dev/ttyS0".into(), port_type: SerialPortType::PciPort },
            SerialPortInfo { port_name: "/dev/ttyACM10".into(), port_type: usb(None, None, Some("X1")) },
        ];
        assert_eq!(lines(&ports), ["/dev/ttyS0     PCI", "/dev/ttyACM10  USB 0483:5740  serial: X1"]);
        assert_eq!(lines(&[]), ["no serial ports found"]);
    }
}
