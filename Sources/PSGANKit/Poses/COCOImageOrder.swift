/// The order in which a COCO annotation file's images become frames.
public enum COCOImageOrder: String, CaseIterable, Sendable {
    /// By the images' `id`.
    case id
    /// By `file_name`, runs of digits compared as numbers.
    case name
}
