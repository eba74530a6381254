//! The unit tree (dinas → bidang/sekretariat → seksi/subbagian/UPT).

pub mod db;
