/// What a model's latent is: its size, and the look schema naming its first values when the model
/// file has one. Characters turn into latents in it (``Character/latent(in:)``).
public struct LatentSpace: Sendable {
    /// The latent's size L.
    public var dimension: Int
    /// Which latent values name which attribute of a look; nil for models without one.
    public var look: LookSchema?
    /// The model file, named when a look is given to a model without a schema.
    public var modelFile: String

    /// A latent space of `dimension` values, with `look` from the model file `modelFile`.
    public init(dimension: Int, look: LookSchema? = nil, modelFile: String = "the model") {
        self.dimension = dimension
        self.look = look
        self.modelFile = modelFile
    }
}
