//! Hash slots: Redis Cluster maps every key to one of 16384 slots, the low 14 bits of the
//! CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the key — or, when the key holds a
//! non-empty `{…}`, of what stands between its first `{` and the first `}` after it, so
//! that `{user1}:a` and `{user1}:b` share a slot (Redis's `keyHashSlot`).

/// How many hash slots a cluster has (`CLUSTER_SLOTS`).
pub const SLOTS: usize = 16384;

/// CRC16/XMODEM, the catalogued CRC Redis's `crc16.c` computes.
pub fn crc16(bytes: &[u8]) -> u16 {
    const XMODEM: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM);
    XMODEM.checksum(bytes)
}

/// The slot of `key`, hash tags honoured.
pub fn key_hash_slot(key: &[u8]) -> u16 {
    let hashed = match key.iter().position(|&b| b == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&b| b == b'}') {
            // `{}` (nothing between) hashes the whole key, as no `}` does.
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    crc16(hashed) & 0x3FFF
}

/// How `redis-cli --cluster create` splits the slots among `n` masters (its
/// `clusterManagerCommandCreate`, in its `float` arithmetic): inclusive ranges, in order.
pub fn slot_ranges(n: usize) -> Vec<(u16, u16)> {
    let per_node = SLOTS as f32 / n as f32;
    let (mut first, mut cursor) = (0i64, 0.0f32);
    (0..n)
        .map(|i| {
            let mut last = (cursor + per_node - 1.0).round() as i64;
            if last > SLOTS as i64 || i == n - 1 {
                last = SLOTS as i64 - 1;
            }
            last = last.max(first);
            let range = (first as u16, last as u16);
            first = last + 1;
            cursor += per_node;
            range
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_split_as_redis_cli_splits_them() {
        assert_eq!(slot_ranges(1), vec![(0, 16383)]);
        assert_eq!(
            slot_ranges(3),
            vec![(0, 5460), (5461, 10922), (10923, 16383)]
        );
    }

    #[test]
    fn crc16_is_xmodem() {
        // The check value of CRC-16/XMODEM, as in Redis's crc16.c test.
        assert_eq!(crc16(b"123456789"), 0x31C3);
    }

    #[test]
    fn hash_tags_pick_the_slot() {
        assert_eq!(key_hash_slot(b"foo"), 12182);
        assert_eq!(key_hash_slot(b"{user1}:a"), key_hash_slot(b"user1"));
        assert_eq!(key_hash_slot(b"{user1}:a"), key_hash_slot(b"{user1}:b"));
        assert_eq!(key_hash_slot(b"a{}b"), crc16(b"a{}b") & 0x3FFF);
        assert_eq!(key_hash_slot(b"a{b"), crc16(b"a{b") & 0x3FFF);
        assert_eq!(key_hash_slot(b"x{a}{b}"), key_hash_slot(b"a"));
        assert_eq!(key_hash_slot(b"{{a}}"), key_hash_slot(b"{a"));
    }
}
