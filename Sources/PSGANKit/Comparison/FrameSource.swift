/// Anything that hands out RGB frames one at a time, in order: a decoded video, a PNG directory.
public protocol FrameSource: AnyObject {
    /// A name for messages (usually the path).
    var name: String { get }
    /// The next frame, or nil at the end.
    func next() throws -> RGBImage?
}

extension FrameReader: FrameSource {
    /// The path the frames are read from.
    public var name: String { url.path }
}
