//! Tests of `options`: word splitting, flags, durations and sizes.

#![allow(clippy::unwrap_used)]

use super::*;

fn words(s: &str) -> Vec<String> {
    split_words(s).unwrap()
}

fn opts(s: &str) -> CreateOptions {
    parse(s).unwrap()
}

fn err(s: &str) -> String {
    parse(s).unwrap_err()
}

// ---- split_words ----

#[test]
fn split_empty_and_blank() {
    assert!(words("").is_empty());
    assert!(words("   \n\t ").is_empty());
}

#[test]
fn split_whitespace_and_newlines() {
    assert_eq!(words("  a b\tc\n d  "), ["a", "b", "c", "d"]);
    assert_eq!(
        words("--cpus 1\n--memory 1g\n"),
        ["--cpus", "1", "--memory", "1g"]
    );
}

#[test]
fn split_single_quotes_are_literal() {
    assert_eq!(words(r#"'a b' 'c\d' '"'"#), ["a b", r"c\d", "\""]);
    assert_eq!(words("'$HOME'"), ["$HOME"]);
}

#[test]
fn split_double_quotes_and_escapes() {
    assert_eq!(words(r#""a b" "q\"q" "s\\s""#), ["a b", "q\"q", r"s\s"]);
    assert_eq!(words(r#""\$x" "\`y\`""#), ["$x", "`y`"]);
    // A backslash before another character stays.
    assert_eq!(words(r#""a\nb""#), [r"a\nb"]);
    assert_eq!(words("\"a'b\""), ["a'b"]);
    // Backslash-newline inside double quotes is removed.
    assert_eq!(words("\"a\\\nb\""), ["ab"]);
}

#[test]
fn split_backslash_outside_quotes() {
    assert_eq!(words(r"a\ b c\\d \'e"), ["a b", r"c\d", "'e"]);
    // A line continuation is removed entirely.
    assert_eq!(
        words("--cpus 1 \\\n--memory 1g"),
        ["--cpus", "1", "--memory", "1g"]
    );
    assert_eq!(words("ab\\\ncd"), ["abcd"]);
}

#[test]
fn split_adjacent_quotes_join_and_empty_words() {
    assert_eq!(words(r#"a'b c'd"e f"g"#), ["ab cde fg"]);
    assert_eq!(words("'' \"\" x"), ["", "", "x"]);
    assert_eq!(
        words("--health-cmd='curl -f localhost'"),
        ["--health-cmd=curl -f localhost"]
    );
}

#[test]
fn split_unicode() {
    assert_eq!(words("héllo 'wörld ✓'"), ["héllo", "wörld ✓"]);
}

#[test]
fn split_unterminated_single_quote() {
    let e = split_words("--label 'a b").unwrap_err();
    assert_eq!(e, "a single quote is never closed: `'a b`");
}

#[test]
fn split_unterminated_double_quote() {
    let e = split_words(r#"x "a \" b"#).unwrap_err();
    assert_eq!(e, r#"a double quote is never closed: `"a \" b`"#);
}

#[test]
fn split_unterminated_quote_long_excerpt() {
    let long = format!("'{}", "x".repeat(100));
    let e = split_words(&long).unwrap_err();
    assert!(e.ends_with("…`"), "{e}");
    assert!(e.len() < 80, "{e}");
}

#[test]
fn split_trailing_backslash() {
    let e = split_words(r"a b\").unwrap_err();
    assert_eq!(e, r"`a b\` ends with a backslash that escapes nothing");
}

// ---- parse: syntax ----

#[test]
fn parse_empty() {
    assert_eq!(parse("").unwrap(), CreateOptions::default());
    assert_eq!(parse(" \n ").unwrap(), CreateOptions::default());
}

#[test]
fn parse_flag_value_forms() {
    let o = parse("--user 1000 -w /src --hostname=box -e A=1 -eB=2 -e=C=3 --env D=4").unwrap();
    assert_eq!(o.user.as_deref(), Some("1000"));
    assert_eq!(o.workdir.as_deref(), Some("/src"));
    assert_eq!(o.hostname.as_deref(), Some("box"));
    assert_eq!(
        o.env,
        [
            ("A".to_string(), "1".to_string()),
            ("B".to_string(), "2".to_string()),
            ("C".to_string(), "3".to_string()),
            ("D".to_string(), "4".to_string()),
        ]
    );
}

#[test]
fn parse_short_forms() {
    let o = parse("-u root -h db -m 1g -v /a:/b -p 80 -l x=y").unwrap();
    assert_eq!(o.user.as_deref(), Some("root"));
    assert_eq!(o.hostname.as_deref(), Some("db"));
    assert_eq!(o.memory, Some(1 << 30));
    assert_eq!(o.volumes, ["/a:/b"]);
    assert_eq!(o.ports, ["80"]);
    assert_eq!(o.labels, [("x".to_string(), "y".to_string())]);
}

#[test]
fn parse_value_may_start_with_dash() {
    let o = parse("--memory-swap -1 --entrypoint -x").unwrap();
    assert_eq!(o.memory_swap, Some(-1));
    assert_eq!(o.entrypoint.as_deref(), Some("-x"));
}

#[test]
fn parse_value_with_spaces_and_equals() {
    let o = parse(r#"--health-cmd "pg_isready -U postgres" -e 'X=a=b c'"#).unwrap();
    assert_eq!(o.health.cmd.as_deref(), Some("pg_isready -U postgres"));
    assert_eq!(o.env, [("X".to_string(), "a=b c".to_string())]);
    assert!(o.health.is_set());
}

#[test]
fn parse_booleans() {
    let o = parse("--privileged --init --read-only").unwrap();
    assert!(o.privileged && o.init && o.read_only);
    let o = parse("--privileged=true --init=false --read-only=1").unwrap();
    assert!(o.privileged && !o.init && o.read_only);
    // A boolean does not take the next word.
    assert_eq!(err("--privileged true"), err_positional("true"));
    // The last one wins.
    assert!(!parse("--privileged --privileged=false").unwrap().privileged);
}

fn err_positional(word: &str) -> String {
    format!(
        "`{word}` is not a flag: `options:` takes only `docker create` flags \
         (the image goes in `image:`, a command in `command:`)"
    )
}

#[test]
fn parse_bad_boolean_value() {
    assert_eq!(
        err("--privileged=yes"),
        "`--privileged=yes`: `yes` is not `true` or `false`"
    );
    assert_eq!(
        err("-t=maybe"),
        "`-t=maybe`: `maybe` is not `true` or `false`"
    );
}

#[test]
fn parse_ignored_flags() {
    let o = parse("--rm -i --interactive -t --tty -d --detach").unwrap();
    assert_eq!(
        o.ignored,
        [
            "--rm",
            "-i",
            "--interactive",
            "-t",
            "--tty",
            "-d",
            "--detach"
        ]
    );
    let o = parse("--rm=false --tty=false -i=false").unwrap();
    assert!(o.ignored.is_empty());
}

#[test]
fn parse_grouped_short_booleans() {
    let o = parse("-it").unwrap();
    assert_eq!(o.ignored, ["-i", "-t"]);
    // A value flag ends the group and takes the rest.
    let o = parse("-itu1000").unwrap();
    assert_eq!(o.ignored, ["-i", "-t"]);
    assert_eq!(o.user.as_deref(), Some("1000"));
    let o = parse("-dite X=1").unwrap();
    assert_eq!(o.env, [("X".to_string(), "1".to_string())]);
    assert_eq!(err("-ix"), "`-x` is not a `docker create` option");
}

#[test]
fn parse_repeated_scalar_keeps_last() {
    let o = parse("--user a --user b -m 1g --memory 2g").unwrap();
    assert_eq!(o.user.as_deref(), Some("b"));
    assert_eq!(o.memory, Some(2 << 30));
}

#[test]
fn parse_missing_value() {
    assert_eq!(err("--memory"), "`--memory` needs a value");
    assert_eq!(err("--cpus 1 -e"), "`-e` needs a value");
    assert_eq!(err("-it -u"), "`-u` needs a value");
}

#[test]
fn parse_network_rejected() {
    let msg = "is not supported in `options:`; GitHub creates the job's network itself";
    assert_eq!(err("--network host"), format!("`--network` {msg}"));
    assert_eq!(err("--network=bridge"), format!("`--network` {msg}"));
    assert_eq!(err("--net host"), format!("`--net` {msg}"));
}

#[test]
fn parse_name_rejected() {
    assert_eq!(
        err("--name db"),
        "`--name` is not supported in `options:`; gantry names the job's containers itself"
    );
}

#[test]
fn parse_unknown_flags() {
    assert_eq!(err("--foo"), "`--foo` is not a `docker create` option");
    assert_eq!(err("-Z 512"), "`-Z` is not a `docker create` option");
}

#[test]
fn valid_flags_gantry_does_not_apply_are_listed_not_refused() {
    let o = opts("--restart=always --mount type=tmpfs,dst=/x -P --cpu-shares=512 -c 256");
    assert_eq!(
        o.unapplied,
        vec!["--restart=always", "--mount type=tmpfs,dst=/x", "-P"]
    );
    assert_eq!(o.cpu_shares, Some(256));
    assert_eq!(err("--restart ''"), "`--restart ''`: the value is empty");
}

#[test]
fn namespace_modes_and_limits() {
    let o = opts(
        "--ipc=host --pid host --userns=keep-id --group-add video --group-add render --pids-limit -1 --memory-reservation 1g --oom-kill-disable --log-opt max-size=10m",
    );
    assert_eq!(
        o.modes,
        vec![
            ("ipc".to_owned(), "host".to_owned()),
            ("pid".to_owned(), "host".to_owned()),
            ("userns".to_owned(), "keep-id".to_owned())
        ]
    );
    assert_eq!(o.group_add, vec!["video", "render"]);
    assert_eq!(o.pids_limit, Some(-1));
    assert_eq!(o.memory_reservation, Some(1 << 30));
    assert!(o.oom_kill_disable);
    assert_eq!(o.log_opts, vec![("max-size".to_owned(), "10m".to_owned())]);
    assert!(err("--log-opt nokey").contains("is not `key=value`"));
    assert!(err("--cpu-shares lots").contains("is not a whole number"));
}

#[test]
fn parse_positional_rejected() {
    assert_eq!(err("ubuntu:22.04"), err_positional("ubuntu:22.04"));
    assert_eq!(err("--cpus 2 bash"), err_positional("bash"));
    assert_eq!(err("-"), err_positional("-"));
    assert_eq!(err("--"), err_positional("--"));
}

#[test]
fn parse_split_error_propagates() {
    assert_eq!(err("-e 'A=1"), "a single quote is never closed: `'A=1`");
}

// ---- parse: each option ----

#[test]
fn parse_env_from_host() {
    let o = parse("-e HOME -e X=").unwrap();
    assert_eq!(o.env_from_host, ["HOME"]);
    assert_eq!(o.env, [("X".to_string(), String::new())]);
    assert_eq!(err("-e =x"), "`-e =x`: the variable name is empty");
    assert_eq!(err("--env="), "`--env=`: the variable name is empty");
}

#[test]
fn parse_entrypoint_may_be_empty() {
    let o = parse("--entrypoint ''").unwrap();
    assert_eq!(o.entrypoint.as_deref(), Some(""));
}

#[test]
fn parse_cpus() {
    assert_eq!(parse("--cpus 1.5").unwrap().nano_cpus, Some(1_500_000_000));
    assert_eq!(parse("--cpus 2").unwrap().nano_cpus, Some(2_000_000_000));
    assert_eq!(parse("--cpus .25").unwrap().nano_cpus, Some(250_000_000));
    assert_eq!(parse("--cpus 0").unwrap().nano_cpus, Some(0));
    assert_eq!(parse("--cpus 0.000000001000").unwrap().nano_cpus, Some(1));
    assert_eq!(
        err("--cpus abc"),
        "`--cpus abc`: `abc` is not a number of CPUs (e.g. `2` or `1.5`)"
    );
    assert_eq!(
        err("--cpus=-1"),
        "`--cpus=-1`: `-1` is not a number of CPUs (e.g. `2` or `1.5`)"
    );
    assert_eq!(
        err("--cpus ."),
        "`--cpus .`: `.` is not a number of CPUs (e.g. `2` or `1.5`)"
    );
    assert_eq!(
        err("--cpus 0.0000000001"),
        "`--cpus 0.0000000001`: `0.0000000001` is too precise (at most 9 decimal places)"
    );
    assert!(err("--cpus 99999999999999").contains("too large"));
}

#[test]
fn parse_memory_flags() {
    let o = parse("-m 512m --memory-swap 1g --shm-size 64m").unwrap();
    assert_eq!(o.memory, Some(512 << 20));
    assert_eq!(o.memory_swap, Some(1 << 30));
    assert_eq!(o.shm_size, Some(64 << 20));
    assert_eq!(
        err("--memory 12q"),
        "`--memory 12q`: `12q` is not a size (a number with an optional b, k, m or g suffix)"
    );
    assert_eq!(
        err("--memory-swap=-2"),
        "`--memory-swap=-2`: `-2` is not a size (a number with an optional b, k, m or g \
         suffix), or -1 for unlimited"
    );
    assert!(err("--shm-size big").starts_with("`--shm-size big`: `big` is not a size"));
}

#[test]
fn parse_volumes_and_tmpfs() {
    let o = parse("-v /a:/b:ro --volume data:/data --tmpfs /run --tmpfs /tmp:rw,size=64m").unwrap();
    assert_eq!(o.volumes, ["/a:/b:ro", "data:/data"]);
    assert_eq!(
        o.tmpfs,
        [
            ("/run".to_string(), String::new()),
            ("/tmp".to_string(), "rw,size=64m".to_string()),
        ]
    );
    assert_eq!(err("-v ''"), "`-v ''`: the value is empty");
    assert_eq!(
        err("--tmpfs run"),
        "`--tmpfs run`: `run` is not an absolute path (tmpfs takes `/path[:options]`)"
    );
}

#[test]
fn parse_lists_kept_as_written() {
    let o = parse(
        "--cap-add NET_ADMIN --cap-drop ALL --dns 8.8.8.8 --device /dev/fuse \
         --security-opt seccomp=unconfined --network-alias db --net-alias pg \
         -p 8080:80 --publish 127.0.0.1::53/udp",
    )
    .unwrap();
    assert_eq!(o.cap_add, ["NET_ADMIN"]);
    assert_eq!(o.cap_drop, ["ALL"]);
    assert_eq!(o.dns, ["8.8.8.8"]);
    assert_eq!(o.devices, ["/dev/fuse"]);
    assert_eq!(o.security_opt, ["seccomp=unconfined"]);
    assert_eq!(o.network_aliases, ["db", "pg"]);
    assert_eq!(o.ports, ["8080:80", "127.0.0.1::53/udp"]);
    assert_eq!(err("--cap-add="), "`--cap-add=`: the value is empty");
    assert_eq!(err("--dns ''"), "`--dns ''`: the value is empty");
}

#[test]
fn parse_add_host_forms() {
    let o = parse(
        "--add-host db:10.0.0.2 --add-host cache=10.0.0.3 --add-host v6:::1 \
         --add-host b=[::2] --add-host gw:host-gateway",
    )
    .unwrap();
    assert_eq!(
        o.add_hosts,
        [
            "db:10.0.0.2",
            "cache:10.0.0.3",
            "v6:::1",
            "b:::2",
            "gw:host-gateway"
        ]
    );
    assert_eq!(
        err("--add-host db"),
        "`--add-host db`: `db` is not `host:ip`"
    );
    assert_eq!(
        err("--add-host :1.2.3.4"),
        "`--add-host :1.2.3.4`: `:1.2.3.4` has no host name before the address"
    );
    assert_eq!(
        err("--add-host db:nope"),
        "`--add-host db:nope`: `nope` is not an IP address (or `host-gateway`)"
    );
}

#[test]
fn parse_ulimits() {
    let o = parse("--ulimit nofile=1024:2048 --ulimit nproc=512 --ulimit core=-1").unwrap();
    assert_eq!(
        o.ulimits,
        [
            ("nofile".to_string(), 1024, 2048),
            ("nproc".to_string(), 512, 512),
            ("core".to_string(), -1, -1),
        ]
    );
    assert_eq!(
        parse("--ulimit memlock=1024:-1").unwrap().ulimits,
        [("memlock".to_string(), 1024, -1)]
    );
    assert_eq!(
        err("--ulimit nofile"),
        "`--ulimit nofile`: `nofile` is not `name=soft[:hard]`"
    );
    assert!(
        err("--ulimit files=1")
            .starts_with("`--ulimit files=1`: `files` is not a ulimit name (one of core, ")
    );
    assert_eq!(
        err("--ulimit nofile=x:1"),
        "`--ulimit nofile=x:1`: `x` is not a limit (a whole number, or -1 for unlimited)"
    );
    assert_eq!(
        err("--ulimit nofile=1:-2"),
        "`--ulimit nofile=1:-2`: `-2` is not a limit (a whole number, or -1 for unlimited)"
    );
    assert_eq!(
        err("--ulimit nofile=2048:1024"),
        "`--ulimit nofile=2048:1024`: the soft limit 2048 is above the hard limit 1024"
    );
    assert_eq!(
        err("--ulimit nofile=-1:1024"),
        "`--ulimit nofile=-1:1024`: the soft limit -1 is above the hard limit 1024"
    );
}

#[test]
fn parse_sysctls() {
    let o = parse("--sysctl net.core.somaxconn=1024 --sysctl kernel.x=").unwrap();
    assert_eq!(
        o.sysctls,
        [
            ("net.core.somaxconn".to_string(), "1024".to_string()),
            ("kernel.x".to_string(), String::new()),
        ]
    );
    assert_eq!(
        err("--sysctl foo"),
        "`--sysctl foo`: `foo` is not `name=value`"
    );
    assert_eq!(
        err("--sysctl =1"),
        "`--sysctl =1`: `=1` is not `name=value`"
    );
}

#[test]
fn parse_labels() {
    let o = parse("-l a=1 --label b --label=c=d=e").unwrap();
    assert_eq!(
        o.labels,
        [
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), String::new()),
            ("c".to_string(), "d=e".to_string()),
        ]
    );
    assert_eq!(err("-l =x"), "`-l =x`: the label name is empty");
}

#[test]
fn parse_scalars() {
    let o =
        parse("--platform linux/arm64 --stop-signal SIGINT --stop-timeout 30 --gpus all").unwrap();
    assert_eq!(o.platform.as_deref(), Some("linux/arm64"));
    assert_eq!(o.stop_signal.as_deref(), Some("SIGINT"));
    assert_eq!(o.stop_timeout, Some(30));
    assert_eq!(o.gpus.as_deref(), Some("all"));
    assert_eq!(
        err("--stop-timeout 1m"),
        "`--stop-timeout 1m`: `1m` is not a whole number of seconds"
    );
    assert_eq!(err("--platform="), "`--platform=`: the value is empty");
}

#[test]
fn parse_health() {
    let o = parse(
        "--health-cmd 'redis-cli ping' --health-interval 10s --health-timeout 5s \
         --health-retries 5 --health-start-period 1m30s",
    )
    .unwrap();
    assert_eq!(
        o.health,
        Health {
            cmd: Some("redis-cli ping".to_string()),
            interval: Some(Duration::from_secs(10)),
            timeout: Some(Duration::from_secs(5)),
            retries: Some(5),
            start_period: Some(Duration::from_secs(90)),
            disabled: false,
        }
    );
    assert!(o.health.is_set());
    let o = parse("--health-interval 0").unwrap();
    assert_eq!(o.health.interval, Some(Duration::ZERO));
    assert!(!o.health.is_set());
}

#[test]
fn parse_health_errors() {
    assert!(
        err("--health-interval 10")
            .starts_with("`--health-interval 10`: `10` is not a duration: a unit is missing")
    );
    assert_eq!(
        err("--health-timeout 500us"),
        "`--health-timeout 500us`: `500us` is shorter than the engine's minimum of 1ms \
         (0 means the default)"
    );
    assert_eq!(
        err("--health-retries -1"),
        "`--health-retries -1`: `-1` is not a number of retries (a whole number, 0 or more)"
    );
    assert!(err("--health-start-period=soon").starts_with("`--health-start-period=soon`: "));
}

#[test]
fn parse_no_healthcheck() {
    let o = parse("--no-healthcheck").unwrap();
    assert!(o.health.disabled);
    assert!(!o.health.is_set());
    assert_eq!(
        err("--no-healthcheck --health-cmd true"),
        "`--no-healthcheck` conflicts with the `--health-*` options given with it"
    );
    let o = parse("--no-healthcheck=false --health-cmd true").unwrap();
    assert!(o.health.is_set());
}

#[test]
fn health_is_set() {
    let mut h = Health::default();
    assert!(!h.is_set());
    h.cmd = Some("true".to_string());
    assert!(h.is_set());
    h.disabled = true;
    assert!(!h.is_set());
}

#[test]
fn parse_realistic_service_options() {
    let o = parse(
        "--health-cmd pg_isready\n--health-interval 10s\n--health-timeout 5s\n\
         --health-retries 5\n",
    )
    .unwrap();
    assert_eq!(o.health.cmd.as_deref(), Some("pg_isready"));
    assert_eq!(o.health.retries, Some(5));
    let o = parse("--cpus 1 --memory 2g --user 1001 --privileged -e CI=true").unwrap();
    assert_eq!(o.nano_cpus, Some(1_000_000_000));
    assert_eq!(o.memory, Some(2 << 30));
    assert!(o.privileged);
}

// ---- parse_duration ----

#[test]
fn duration_happy_paths() {
    let d = |s: &str| parse_duration(s).unwrap();
    assert_eq!(d("0"), Duration::ZERO);
    assert_eq!(d("10s"), Duration::from_secs(10));
    assert_eq!(d("1m30s"), Duration::from_secs(90));
    assert_eq!(d("500ms"), Duration::from_millis(500));
    assert_eq!(d("1.5h"), Duration::from_secs(5400));
    assert_eq!(d("2us"), Duration::from_micros(2));
    assert_eq!(d("2µs"), Duration::from_micros(2));
    assert_eq!(d("2μs"), Duration::from_micros(2));
    assert_eq!(d("3ns"), Duration::from_nanos(3));
    assert_eq!(d("0s"), Duration::ZERO);
    assert_eq!(d(".5s"), Duration::from_millis(500));
    assert_eq!(d("5.s"), Duration::from_secs(5));
    assert_eq!(
        d("1h2m3s4ms5us6ns"),
        Duration::from_nanos(3_723_004_005_006)
    );
    assert_eq!(d("1.5ns"), Duration::from_nanos(1));
    assert_eq!(d("0.000000001s"), Duration::from_nanos(1));
    assert_eq!(d("2562047h"), Duration::from_secs(2_562_047 * 3600));
}

#[test]
fn duration_errors() {
    let e = |s: &str| parse_duration(s).unwrap_err();
    assert_eq!(
        e(""),
        "an empty value is not a duration (e.g. `10s`, `1m30s`, `500ms`)"
    );
    assert_eq!(
        e("10"),
        "`10` is not a duration: a unit is missing after `10` (ns, us, ms, s, m or h, e.g. `10s`)"
    );
    assert_eq!(
        e("1m30"),
        "`1m30` is not a duration: a unit is missing after `30` (ns, us, ms, s, m or h, e.g. `30s`)"
    );
    assert_eq!(
        e("10x"),
        "`10x` is not a duration: `x` is not a unit (ns, us, ms, s, m or h)"
    );
    assert_eq!(
        e("1d"),
        "`1d` is not a duration: `d` is not a unit (ns, us, ms, s, m or h)"
    );
    assert_eq!(
        e("-5s"),
        "`-5s` is not a duration: a duration takes no sign"
    );
    assert_eq!(
        e("+5s"),
        "`+5s` is not a duration: a duration takes no sign"
    );
    assert_eq!(
        e("s"),
        "`s` is not a duration: a number is missing before `s`"
    );
    assert_eq!(e(".s"), "`.s` is not a duration: `.` is not a number");
    assert_eq!(
        e("1.2.3s"),
        "`1.2.3s` is not a duration: `1.2.3` is not a number"
    );
    assert_eq!(
        e("1 s"),
        "`1 s` is not a duration: ` s` is not a unit (ns, us, ms, s, m or h)"
    );
    assert_eq!(
        e("2562048h"),
        "`2562048h` is out of range (at most about 292 years)"
    );
    assert_eq!(
        e("99999999999999999999999s"),
        "`99999999999999999999999s` is out of range (at most about 292 years)"
    );
}

// ---- parse_bytes ----

#[test]
fn bytes_happy_paths() {
    let b = |s: &str| parse_bytes(s).unwrap();
    assert_eq!(b("512"), 512);
    assert_eq!(b("0"), 0);
    assert_eq!(b("512b"), 512);
    assert_eq!(b("512B"), 512);
    assert_eq!(b("100k"), 100 * 1024);
    assert_eq!(b("100K"), 100 * 1024);
    assert_eq!(b("512m"), 512 << 20);
    assert_eq!(b("512mb"), 512 << 20);
    assert_eq!(b("512MB"), 512 << 20);
    assert_eq!(b("1g"), 1 << 30);
    assert_eq!(b("1.5g"), 3 << 29);
    assert_eq!(b("1GiB"), 1 << 30);
    assert_eq!(b("1gi"), 1 << 30);
    assert_eq!(b("2t"), 2 << 40);
    assert_eq!(b("1p"), 1 << 50);
    assert_eq!(b("64 m"), 64 << 20);
    assert_eq!(b("1.5"), 1);
    assert_eq!(b("0.5k"), 512);
}

#[test]
fn bytes_errors() {
    let e = |s: &str| parse_bytes(s).unwrap_err();
    let not_a =
        |s: &str| format!("`{s}` is not a size (a number with an optional b, k, m or g suffix)");
    for s in [
        "", "12q", "m", "-1", "+1", "1.", ".5g", "1.2.3m", "1bb", "1kbb", "1kk", "1i", "1ib",
        "1  m", "1e3", " 1",
    ] {
        assert_eq!(e(s), not_a(s), "{s:?}");
    }
    assert_eq!(e("8192p"), "`8192p` is too large a size");
    assert_eq!(parse_bytes("8191p").unwrap(), 8191 << 50);
    assert_eq!(
        e("99999999999999999999999"),
        "`99999999999999999999999` is too large a size"
    );
    assert_eq!(
        e("9223372036854775808"),
        "`9223372036854775808` is too large a size"
    );
    assert_eq!(parse_bytes("9223372036854775807").unwrap(), i64::MAX);
}
