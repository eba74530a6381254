use crate::str_enum;

str_enum!(Source {
    SelfAssessment => "self", "src.self",
    Supervisor => "supervisor", "src.supervisor",
    Certification => "certification", "src.certification",
    Test => "test", "src.test",
    AssessmentCentre => "assessment_centre", "src.assessment_centre",
    Training => "training", "src.training",
});

str_enum!(Status {
    Pending => "pending", "status.pending",
    Validated => "validated", "status.validated",
    Rejected => "rejected", "status.rejected",
});

/// An uploaded evidence file whose content really is a PDF, PNG or JPEG.
pub struct Evidence {
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

pub const EVIDENCE_MAX_BYTES: usize = 5 * 1024 * 1024;

impl Evidence {
    /// Checks the bytes (not the name or the browser's claim) and the size.
    pub fn parse(filename: &str, bytes: Vec<u8>) -> Result<Self, &'static str> {
        if bytes.is_empty() {
            return Err("ev.err.empty");
        }
        if bytes.len() > EVIDENCE_MAX_BYTES {
            return Err("ev.err.too_big");
        }
        let content_type = if bytes.starts_with(b"%PDF-") {
            "application/pdf"
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            "image/png"
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else {
            return Err("ev.err.type");
        };
        let name: String = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
            .take(100)
            .collect();
        let filename = if name.trim().is_empty() { "bukti".to_string() } else { name };
        Ok(Self { filename, content_type, bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_checked_by_content() {
        assert_eq!(Evidence::parse("a.pdf", b"%PDF-1.7 ...".to_vec()).map(|e| e.content_type), Ok("application/pdf"));
        assert!(Evidence::parse("a.pdf", b"<html>".to_vec()).is_err());
        assert!(Evidence::parse("a.pdf", vec![]).is_err());
        let mut big = b"%PDF-".to_vec();
        big.resize(EVIDENCE_MAX_BYTES + 1, 0);
        assert_eq!(Evidence::parse("a.pdf", big).err(), Some("ev.err.too_big"));
        let e =
            Evidence::parse("../../etc/<x>passwd.png", vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0]).expect("png");
        assert_eq!(e.filename, "xpasswd.png");
    }
}
