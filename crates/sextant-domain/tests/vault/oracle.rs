//! Answers recorded from a real OpenBao 2.7.2 (filled in below).
