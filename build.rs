//! Compiles the protocol definitions in `proto/` with protox (a pure-Rust protobuf compiler), so the
//! build needs no system `protoc`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    pack_relative_relocations();
    let files = ["proto/tfplugin6.proto", "proto/plugin.proto"];
    for f in files {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(files, ["proto"])?;
    tonic_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}

/// Release binaries store their relative relocations as RELR (a bitmap) instead of 24-byte RELA
/// entries. The provider is position-independent and holds ~65 k pointers that the loader fixes up at
/// every start; as RELA that table is 1.5 MB which each process reads whole, as RELR it is a few KB.
/// Terraform starts 3-4 provider processes per command, so this is resident memory saved each time.
/// Only where the C library resolves RELR (glibc 2.36 and later) and the build is native: a loader
/// that does not know RELR would leave those pointers unrelocated.
fn pack_relative_relocations() {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let release = var("PROFILE") == "release";
    let native_linux_gnu = var("TARGET") == var("HOST") && var("TARGET").ends_with("-linux-gnu");
    if release && native_linux_gnu && glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// The build machine's glibc version, from `getconf GNU_LIBC_VERSION` ("glibc 2.36").
fn glibc_at_least(major: u32, minor: u32) -> bool {
    let Ok(out) = std::process::Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
    else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text
        .trim()
        .trim_start_matches("glibc ")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    out.status.success() && found >= (major, minor)
}
