/// How to read a pose file: the format (when not told from the content), the person, the canvas, the BVH
/// camera and the frame rate of input that records none.
public struct PoseReadOptions: Sendable {
    /// The input format; `nil` tells it from the content.
    public var format: PoseFormat?
    /// Which person to take where a frame has several.
    public var person: PersonSelection
    /// The image size the poses refer to: required for OpenPose and MMPose input (they do not record
    /// it), optional for COCO (overrides the images' size), overrides a native or ComfyUI file's canvas;
    /// for BVH the canvas the camera projects onto (overriding the camera's own).
    public var canvas: CanvasSize?
    /// The order of COCO images as frames.
    public var cocoOrder: COCOImageOrder
    /// The camera a BVH performance is seen through.
    public var camera: BVHCamera
    /// The frame rate of input that records none (OpenPose, COCO, MMPose); nil leaves it unknown
    /// (a render then uses ``PoseSequence/assumedFPS``).
    public var inputFPS: Double?

    /// Creates options; the defaults tell the format from the content and take the largest person.
    public init(format: PoseFormat? = nil, person: PersonSelection = .largest,
                canvas: CanvasSize? = nil, cocoOrder: COCOImageOrder = .id,
                camera: BVHCamera = BVHCamera(), inputFPS: Double? = nil) {
        self.format = format
        self.person = person
        self.canvas = canvas
        self.cocoOrder = cocoOrder
        self.camera = camera
        self.inputFPS = inputFPS
    }
}
