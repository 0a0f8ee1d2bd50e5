use super::*;

fn args(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|a| a.as_bytes().to_vec()).collect()
}

#[test]
fn split_args_follows_redis_cli_quoting() {
    assert_eq!(split_args(br#"set "a b" 'c d' e"#), Some(args(&["set", "a b", "c d", "e"])));
    assert_eq!(split_args(br#""\x41\n\"\\" 'it\'s'"#), Some(vec![b"A\n\"\\".to_vec(), b"it's".to_vec()]));
    assert_eq!(split_args(b"  "), Some(vec![]));
    assert_eq!(split_args(br#""""#), Some(vec![vec![]]));
}

#[test]
fn split_args_refuses_unbalanced_quotes() {
    assert_eq!(split_args(br#"set "abc"#), None);
    assert_eq!(split_args(br#"set 'abc"#), None);
    assert_eq!(split_args(br#"set "a"b"#), None);
}
