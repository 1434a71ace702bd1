/// One job of a batch manifest: a render, with the names it was listed under.
public struct BatchJob: Sendable {
    /// The job's position in the manifest's job list (zero-based); sharding goes by it.
    public var index: Int
    /// The job's name: its `name` in the manifest, else `CHARACTER-POSE`.
    public var name: String
    /// The character's name (the `{character}` placeholder).
    public var character: String
    /// The pose entry's name (the `{pose}` placeholder).
    public var pose: String
    /// The render, with every path resolved.
    public var render: RenderJob

    /// A job at `index` named `name`, rendering `render`.
    public init(index: Int, name: String, character: String, pose: String, render: RenderJob) {
        self.index = index
        self.name = name
        self.character = character
        self.pose = pose
        self.render = render
    }

    /// How messages name the job: `job 3 (ayumi-walk)`.
    public var label: String { "job \(index) (\(name))" }
}
