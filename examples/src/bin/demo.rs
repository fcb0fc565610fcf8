//! The iomt demo (grows with the project).

fn main() {
    println!("iomt demo {}", iomt_core::VERSION);
}
