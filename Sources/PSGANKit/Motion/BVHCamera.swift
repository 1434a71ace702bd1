import Foundation

/// A camera that looks at a BVH performance and projects its joints onto a 2D canvas.
///
/// The camera is fixed for the whole sequence. It aims at the centre of the box that holds every
/// mapped joint in every frame and is placed relative to the way the performer faces in the first
/// frame: `azimuth` 0 is in front of them, 90 at their left side, 180 behind, -90 (or 270) at their
/// right; `elevation` raises it above the horizon (degrees, below 90). `distance` is in units of
/// the performer's height and matters only for a perspective projection. After projection the
/// figure's box over the whole sequence is fitted into the canvas with `margin` (a fraction of the
/// canvas' shorter side) on every side, one uniform scale, centred.
public struct BVHCamera: Equatable, Sendable {
    /// How 3D points become 2D.
    public enum Projection: String, CaseIterable, Sendable {
        case perspective
        case orthographic
    }

    /// Degrees around the vertical axis from the performer's front, towards their left.
    public var azimuth: Double
    /// Degrees above the horizon (-89 to 89).
    public var elevation: Double
    /// Distance from the target in performer heights (perspective only), above 0.
    public var distance: Double
    /// Perspective or orthographic.
    public var projection: Projection
    /// The canvas the projected poses are fitted into, in pixels.
    public var canvasWidth: Double
    /// The canvas height in pixels.
    public var canvasHeight: Double
    /// Free space around the figure, as a fraction of the canvas' shorter side (0 to below 0.5).
    public var margin: Double

    /// Creates a camera; the defaults are a frontal perspective view at three body heights onto a 512 x 512 canvas.
    public init(azimuth: Double = 0, elevation: Double = 0, distance: Double = 3,
                projection: Projection = .perspective,
                canvasWidth: Double = 512, canvasHeight: Double = 512, margin: Double = 0.1) {
        self.azimuth = azimuth
        self.elevation = elevation
        self.distance = distance
        self.projection = projection
        self.canvasWidth = canvasWidth
        self.canvasHeight = canvasHeight
        self.margin = margin
    }

    /// A one-line problem with the settings, or `nil` when they are usable.
    public var problem: String? {
        if !azimuth.isFinite { return "the camera azimuth must be a finite number of degrees" }
        if !(elevation.isFinite && abs(elevation) < 90) { return "the camera elevation must be above -90 and below 90 degrees" }
        if !(distance.isFinite && distance > 0) { return "the camera distance must be above 0" }
        if !(canvasWidth.isFinite && canvasWidth > 0 && canvasHeight.isFinite && canvasHeight > 0) { return "the canvas size must be positive" }
        if !(margin.isFinite && margin >= 0 && margin < 0.5) { return "the margin must be from 0 to below 0.5" }
        return nil
    }

    /// Projects world points (`nil`: missing) seen by a camera at `eye` looking along `-back`.
    ///
    /// Returns image-plane coordinates with `y` down (before fitting to the canvas); a point
    /// behind or too near the camera comes back `nil`.
    func project(_ point: Vector3, eye: Vector3, right: Vector3, up: Vector3, back: Vector3) -> (x: Double, y: Double)? {
        let relative = point - eye
        let x = relative.dot(right), y = relative.dot(up), depth = -relative.dot(back)
        switch projection {
        case .orthographic:
            return (x, -y)
        case .perspective:
            guard depth > 1e-6 else { return nil }
            return (x / depth, -y / depth)
        }
    }

    /// The camera's position and axes for a performance centred at `target`, facing `forward`
    /// (horizontal, unit length), with the performer `height` tall.
    func pose(target: Vector3, forward: Vector3, height: Double) -> (eye: Vector3, right: Vector3, up: Vector3, back: Vector3) {
        let a = azimuth * .pi / 180, e = elevation * .pi / 180
        let left = Vector3.up.cross(forward)  // the performer's left when facing `forward`, Y up
        let horizontal = forward * cos(a) + left * sin(a)
        let back = (horizontal * cos(e) + Vector3.up * sin(e)).normalized ?? forward
        let right = Vector3.up.cross(back).normalized ?? left * -1
        let up = back.cross(right)
        return (target + back * (distance * max(height, 1e-9)), right, up, back)
    }
}
