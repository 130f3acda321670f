//! The FIT CRC-16 (Garmin FIT SDK, "CRC" section): a nibble-table CRC over the header and the
//! data records. Used by the decoder to check files and by the encoder to sign them.

/// The FIT SDK's 16-entry nibble table for CRC-16 (polynomial 0xA001, reflected).
const CRC_TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

/// Slicing-by-8 tables derived from [`CRC_TABLE`]: `SLICES[0]` is the byte-at-a-time table
/// (what one byte does to a zero register), `SLICES[k]` is that byte followed by `k` zero bytes.
/// Eight table lookups then advance the CRC by eight bytes without a serial chain per byte,
/// which matters because the decoder checks the CRC of every file it reads.
const SLICES: [[u16; 256]; 8] = build_slices();

const fn nibble_step(crc: u16, nibble: u16) -> u16 {
    let tmp = CRC_TABLE[(crc & 0xF) as usize];
    let crc = (crc >> 4) & 0x0FFF;
    crc ^ tmp ^ CRC_TABLE[(nibble & 0xF) as usize]
}

const fn build_slices() -> [[u16; 256]; 8] {
    let mut tables = [[0u16; 256]; 8];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = nibble_step(0, byte as u16);
        crc = nibble_step(crc, (byte as u16) >> 4);
        tables[0][byte] = crc;
        byte += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut byte = 0;
        while byte < 256 {
            let previous = tables[k - 1][byte];
            tables[k][byte] = (previous >> 8) ^ tables[0][(previous & 0xFF) as usize];
            byte += 1;
        }
        k += 1;
    }
    tables
}

/// Continues a FIT CRC over `bytes`, starting from `crc` (0 for a fresh computation).
pub(crate) fn update(mut crc: u16, bytes: &[u8]) -> u16 {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let t = |k: usize, b: u8| SLICES[k][usize::from(b)];
        let [c0, c1] = crc.to_le_bytes();
        crc = t(7, c[0] ^ c0)
            ^ t(6, c[1] ^ c1)
            ^ t(5, c[2])
            ^ t(4, c[3])
            ^ t(3, c[4])
            ^ t(2, c[5])
            ^ t(1, c[6])
            ^ t(0, c[7]);
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ SLICES[0][usize::from((crc as u8) ^ b)];
    }
    crc
}

/// The FIT CRC of `bytes`.
pub(crate) fn crc16(bytes: &[u8]) -> u16 {
    update(0, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The FIT SDK's reference algorithm, one nibble at a time, as printed in the protocol
    /// document; the byte-table version must agree with it.
    fn reference(bytes: &[u8]) -> u16 {
        let mut crc = 0u16;
        for &b in bytes {
            let mut tmp = CRC_TABLE[(crc & 0xF) as usize];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ CRC_TABLE[(b & 0xF) as usize];
            tmp = CRC_TABLE[(crc & 0xF) as usize];
            crc = (crc >> 4) & 0x0FFF;
            crc = crc ^ tmp ^ CRC_TABLE[((b >> 4) & 0xF) as usize];
        }
        crc
    }

    #[test]
    fn sliced_crc_matches_sdk_nibble_algorithm_at_every_length() {
        let data: Vec<u8> = (0..=255u8)
            .chain((0..100u8).map(|i| i.wrapping_mul(7)))
            .collect();
        for len in 0..data.len() {
            assert_eq!(crc16(&data[..len]), reference(&data[..len]), "length {len}");
        }
        // Continuing a CRC across a split gives the same result as one pass.
        assert_eq!(update(crc16(&data[..13]), &data[13..]), crc16(&data));
        assert_eq!(crc16(&[]), 0);
    }

    #[test]
    fn crc_of_data_followed_by_its_crc_is_zero() {
        // A property of this CRC family the SDK relies on: appending the little-endian CRC
        // makes the CRC of the whole zero.
        let mut data = b"Fettle FIT".to_vec();
        let crc = crc16(&data);
        data.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(crc16(&data), 0);
    }

    #[test]
    fn crc_of_standard_check_string_is_arc_value() {
        // CRC-16/ARC (poly 0x8005 reflected = 0xA001, init 0) of "123456789" is 0xBB3D,
        // the published check value for this CRC family.
        assert_eq!(crc16(b"123456789"), 0xBB3D);
    }
}
