use super::*;

#[test]
fn lines_of_names_and_lists_of_nips() {
    assert_eq!(split_lines("  Yayan  ", false), vec!["Yayan"]);
    assert_eq!(split_lines("Yayan\nSiti\n\nYayan", true), vec!["Yayan", "Siti"]);
    let two = "198609262015051001, 199105052019032011";
    assert_eq!(split_lines(two, true), vec!["198609262015051001", "199105052019032011"]);
    assert_eq!(split_lines("1986 0926", true), vec!["19860926"], "a NIP part typed with a space");
    assert_eq!(query_text("Asep\u{7}"), "Asep");
}

#[test]
fn purposes_parse_and_only_staff_manage() {
    assert_eq!(Purpose::parse("manage"), Some(Purpose::Manage));
    assert_eq!(Purpose::parse("learning"), Some(Purpose::Learning));
    assert_eq!(Purpose::parse("all"), None);
}
