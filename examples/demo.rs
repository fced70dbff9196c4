//! The main demo (work in progress).
fn main() {
    let buf = inos_layout::RegionBuf::new(4096).expect("allocate");
    println!("inos demo: region of {} bytes", buf.len());
}
