//! Writes the OpenAPI document to `web/openapi.json` (run from anywhere in the workspace).

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(openapi::OUTPUT);
    std::fs::write(&path, openapi::document_json()).expect("write the document");
    println!("wrote {}", path.display());
}
