import Foundation
import Testing
@testable import PSGANKit

/// A one-keypoint sequence (custom layout "dot") with the given x values; nil is a missing frame.
private func track(_ xs: [Double?], fps: Double? = 10, confidences: [Double]? = nil) -> PoseSequence {
    let frames = xs.enumerated().map { f, x -> [Keypoint] in
        guard let x else { return [.missing] }
        return [Keypoint(x: x, y: 2 * x, confidence: confidences?[f] ?? 1)]
    }
    return PoseSequence(layout: "dot", keypointCount: 1, fps: fps, canvasWidth: 100, canvasHeight: 100, frames: frames)
}

private func xs(_ poses: PoseSequence) -> [Double?] {
    poses.frames.map { $0[0].isPresent ? $0[0].x : nil }
}

@Suite struct PoseCleanupTests {
    @Test func oneEuroFilterMatchesHandComputedValues() {
        // te = 1 s, min cutoff 1 Hz, beta 0.1, d cutoff 1 Hz; samples 0, 10, 10.
        // alpha(1 Hz) = 1 / (1 + 1 / (2 pi)) = 0.8626974.
        // x1: dx = 10, dxHat = 8.626974, fc = 1.8626974, alpha = 0.9212826, xHat = 9.212826.
        // x2: dx = 0.787174, dxHat = 0.8626974 * 0.787174 + 0.1373026 * 8.626974 = 1.8635986,
        //     fc = 1.1863599, alpha = 0.8817145, xHat = 8.817145 + 0.1182855 * 9.212826 = 9.906889.
        var filter = OneEuroFilter(minCutoff: 1, beta: 0.1, derivativeCutoff: 1)
        #expect(filter.filter(0, interval: 1) == 0)
        #expect(abs(filter.filter(10, interval: 1) - 9.212826) < 1e-6)
        #expect(abs(filter.filter(10, interval: 1) - 9.906889) < 1e-6)
        filter.reset()
        #expect(filter.filter(42, interval: 1) == 42)
        #expect(abs(OneEuroFilter.alpha(cutoff: 1, interval: 1) - 0.8626974) < 1e-7)
        #expect(OneEuroFilter(minCutoff: 0).problem != nil && OneEuroFilter(beta: -1).problem != nil)
    }

    @Test func smoothingRunsPerKeypointAndRestartsAfterAGap() {
        let poses = track([0, 10, 10, nil, 50, 60], fps: 1)
        let smoothed = poses.smoothed(OneEuroFilter(minCutoff: 1, beta: 0.1, derivativeCutoff: 1))
        let x = xs(smoothed)
        #expect(x[0] == 0 && abs(x[1]! - 9.212826) < 1e-6 && abs(x[2]! - 9.906889) < 1e-6)
        #expect(x[3] == nil)
        #expect(x[4] == 50)  // a fresh start
        // y (twice x) has its own filter; beta makes it no simple multiple of x's.
        var y = OneEuroFilter(minCutoff: 1, beta: 0.1, derivativeCutoff: 1)
        #expect(smoothed.frames[2][0].y == [0.0, 20, 20].map { y.filter($0, interval: 1) }[2])
    }

    @Test func shortGapsAreFilledAndLongOnesLeft() {
        let poses = track([nil, 0, nil, nil, 30, nil, nil, nil, 70, nil], confidences: [1, 0.9, 1, 1, 0.6, 1, 1, 1, 1, 1])
        let two = poses.fillingGaps(maxGap: 2)
        #expect(xs(two) == [nil, 0, 10, 20, 30, nil, nil, nil, 70, nil])
        #expect(two.frames[2][0] == Keypoint(x: 10, y: 20, confidence: 0.6))  // the lower of 0.9 and 0.6
        #expect(xs(poses.fillingGaps(maxGap: 3)) == [nil, 0, 10, 20, 30, 40, 50, 60, 70, nil])
        #expect(poses.fillingGaps(maxGap: 0) == poses)
    }

    @Test func thresholdMakesLowConfidenceMissing() {
        let poses = track([1, 2, 3], confidences: [0.2, 0.5, 0.9])
        #expect(xs(poses.thresholded(minConfidence: 0.5)) == [nil, 2, 3])
    }

    @Test func resamplingInterpolatesOverTheSameSpan() {
        let poses = track([0, 10, 20], fps: 10)
        let up = poses.resampled(to: 20)
        #expect(up.fps == 20)
        #expect(xs(up) == [0, 5, 10, 15, 20])
        #expect(xs(poses.resampled(to: 5)) == [0, 20])
        #expect(xs(poses.resampled(to: 10)) == [0, 10, 20])
        // 120 -> 30 fps keeps every fourth frame: 9 frames become 3.
        #expect(xs(track((0..<9).map { Double($0) }, fps: 120).resampled(to: 30)) == [0, 4, 8])
        // Next to a missing frame: the nearer neighbour, or missing.
        let holey = track([0, nil], fps: 10)
        #expect(xs(holey.resampled(to: 40)) == [0, 0, nil, nil, nil])  // times 0, 0.25, 0.5, 0.75, 1 of a frame
        // Confidences are interpolated too.
        let faint = track([0, 10], fps: 1, confidences: [0.2, 0.6]).resampled(to: 2)
        #expect(abs(faint.frames[1][0].confidence - 0.4) < 1e-12)
    }

    @Test func flipMirrorsXAndSwapsLeftAndRight() throws {
        var frame = [Keypoint](repeating: .missing, count: 18)
        frame[0] = Keypoint(x: 50, y: 1, confidence: 1)   // Nose
        frame[2] = Keypoint(x: 10, y: 5, confidence: 0.7) // RShoulder
        frame[5] = Keypoint(x: 30, y: 6, confidence: 0.8) // LShoulder
        frame[14] = Keypoint(x: 45, y: 0, confidence: 1)  // REye; LEye missing
        let poses = PoseSequence(layout: "coco18", keypointCount: 18, fps: 30, canvasWidth: 100, canvasHeight: 80, frames: [frame])
        let flipped = try poses.flippedHorizontally().frames[0]
        #expect(flipped[0] == Keypoint(x: 50, y: 1, confidence: 1))
        #expect(flipped[2] == Keypoint(x: 70, y: 6, confidence: 0.8))  // the old left shoulder, mirrored
        #expect(flipped[5] == Keypoint(x: 90, y: 5, confidence: 0.7))
        #expect(flipped[15] == Keypoint(x: 55, y: 0, confidence: 1))   // LEye is the old REye
        #expect(!flipped[14].isPresent)
        #expect(try poses.flippedHorizontally().flippedHorizontally() == poses)
        expectError(.poses) { try track([1]).flippedHorizontally() }
    }

    @Test func retargetingModes() {
        let poses = PoseSequence(layout: "dot", keypointCount: 1, fps: 30, canvasWidth: 200, canvasHeight: 100, frames: [
            [Keypoint(x: 10, y: 20, confidence: 1)], [Keypoint(x: 30, y: 60, confidence: 1)], [.missing],
        ])
        // Fit the canvas: 200 x 100 into 100 x 100 is s = 0.5, offsets (0, 25), as CanvasMapping does.
        #expect(PoseRetargeting.fitCanvas.mapping(for: poses, width: 100, height: 100) == CanvasMapping(fitting: 200, height: 100, into: 100))
        // Fit the figure: box 10..30 x 20..60, margin 10 px, s = min(80 / 20, 80 / 40) = 2, centre (20, 40) -> (50, 50).
        let figure = PoseRetargeting.fitFigure(margin: 0.1).apply(to: poses, width: 100, height: 100)
        #expect(figure.canvasWidth == 100 && figure.canvasHeight == 100)
        #expect(figure.frames[0][0] == Keypoint(x: 30, y: 10, confidence: 1))
        #expect(figure.frames[1][0] == Keypoint(x: 70, y: 90, confidence: 1))
        #expect(!figure.frames[2][0].isPresent)
        // Fixed scale 0.5, box centred: offsets 50 - 10 = 40 and 50 - 20 = 30.
        let fixed = PoseRetargeting.fixedScale(0.5).apply(to: poses, width: 100, height: 100)
        #expect(fixed.frames[0][0] == Keypoint(x: 45, y: 40, confidence: 1))
        #expect(PoseRetargeting.fitFigure(margin: 0.5).problem != nil)
        #expect(PoseRetargeting.fixedScale(0).problem != nil)
    }

    @Test func cleanupAppliesItsStepsInOrder() throws {
        // The low-confidence middle frame is dropped first, then the gap it leaves is filled,
        // then the sequence is resampled and retargeted.
        let poses = track([0, 99, 20], fps: 10, confidences: [1, 0.1, 1])
        let cleaned = try PoseCleanup(minConfidence: 0.5, maxGap: 1, resampleFPS: 20,
                                      retargeting: .fixedScale(1)).apply(to: poses, onto: CanvasSize(side: 100))
        #expect(xs(cleaned) == [40, 45, 50, 55, 60])  // box 0..20 centred on x = 50
        #expect(try PoseCleanup().apply(to: poses) == poses)
        expectError(.poses) { try PoseCleanup(maxGap: -1).apply(to: poses) }
        expectError(.poses) { try PoseCleanup(flip: true).apply(to: poses) }
    }

    @Test func retimingKeepsRealSpeedOnlyForPosesThatRecordTheirRate() throws {
        // 9 frames at 120 fps are 8/120 s; at 30 fps that is frames 0, 4 and 8, exactly.
        let take = track([0, 1, 2, 3, 4, 5, 6, 7, 8], fps: 120)
        let retimed = try PoseCleanup(retimeFPS: 30).apply(to: take)
        #expect(xs(retimed) == [0, 4, 8] && retimed.fps == 30)
        var unknown = take
        unknown.fps = nil
        #expect(try PoseCleanup(retimeFPS: 30).apply(to: unknown) == unknown, "no recorded rate: one pose per frame")
        #expect(try PoseCleanup(retimeFPS: 120).apply(to: take) == take)
    }

    @Test func loopsPingpongAndBlend() throws {
        let poses = track([0, 10, 20, 30, 40])
        #expect(xs(try PoseCleanup(loop: .pingpong).apply(to: poses)) == [0, 10, 20, 30, 40, 30, 20, 10])
        // blend 2: frame 3 moves 1/3 of the way to frame 0 (30 -> 20), frame 4 2/3 of the way to
        // frame 1 (40 -> 20); frames 0 and 1 are dropped, so the loop is 20, 20, 20 and back to 20.
        let blended = xs(try PoseCleanup(loop: .blend(2)).apply(to: poses)).map { $0 ?? .nan }
        #expect(blended.count == 3 && blended.allSatisfy { abs($0 - 20) < 1e-9 }, "\(blended)")
        expectError(.poses) { try PoseCleanup(loop: .blend(3)).apply(to: poses) }
        expectError(.poses) { try PoseCleanup(loop: .blend(5)).apply(to: poses) }
        #expect(PoseLoop(parsing: "blend 12") == .blend(12) && PoseLoop(parsing: "blend:3") == .blend(3))
        #expect(PoseLoop(parsing: "pingpong") == .pingpong && PoseLoop(parsing: "blend 0") == nil && PoseLoop(parsing: "spin") == nil)
    }

    /// A blended loop has no seam: from its last frame to its first, the step is no larger than the
    /// motion's own largest frame-to-frame step (a sine whose period does not divide the clip, so
    /// the raw end jumps a long way back).
    @Test func aBlendedLoopHasNoSeam() throws {
        let values = (0 ..< 100).map { f -> Double? in 100 + 40 * sin(2 * Double.pi * Double(f) / 37) }
        // (A blend spreads the end's jump back to the start over its n + 1 steps, so n must be long
        // enough for the jump: here it is 80 against steps of 7.)
        for n in [12, 30] {
            let looped = xs(try PoseCleanup(loop: .blend(n)).apply(to: track(values))).map { $0! }
            #expect(looped.count == 100 - n)
            let steps = zip(looped.dropFirst(), looped).map { abs($0 - $1) }
            let raw = zip(values.dropFirst(), values).map { abs($0! - $1!) }
            let seam = abs(looped.first! - looped.last!)
            #expect(seam <= raw.max()! && steps.max()! <= raw.max()! * 1.5, "blend \(n): seam \(seam), steps up to \(steps.max()!), motion \(raw.max()!)")
            #expect(abs(values.first!! - values.last!!) > 3 * raw.max()!, "without the blend the loop would jump")
        }
        // The sample walk from the issue: blend 12's seam is no larger than the walk's mean step.
        let walk = try PoseInput(url: TestPaths.repository.appendingPathComponent("poses/mocap-front.json")).read()
        let looped = try PoseCleanup(loop: .blend(12)).apply(to: walk)
        func step(_ a: [Keypoint], _ b: [Keypoint]) -> Double {
            let moves = zip(a, b).filter { $0.isPresent && $1.isPresent }.map { ($0.x - $1.x, $0.y - $1.y) }.map { ($0 * $0 + $1 * $1).squareRoot() }
            return moves.reduce(0, +) / Double(moves.count)
        }
        let steps = zip(looped.frames.dropFirst(), looped.frames).map(step)
        let mean = steps.reduce(0, +) / Double(steps.count)
        let seam = step(looped.frames.last!, looped.frames.first!)
        #expect(seam <= mean && step(walk.frames.last!, walk.frames.first!) > 5 * mean, "seam \(seam), mean step \(mean)")
    }

    @Test func missingCountsAndFigureBounds() {
        let poses = track([5, nil, 15, nil])
        #expect(poses.missingCounts == [2])
        #expect(FigureBounds(poses) == FigureBounds(minX: 5, minY: 10, maxX: 15, maxY: 30))
        #expect(FigureBounds(track([nil])) == nil)
    }

    @Test func skeletonPainterDrawsOpenPoseColours() {
        var frame = [Keypoint](repeating: .missing, count: 18)
        frame[1] = Keypoint(x: 10.5, y: 20.5, confidence: 1)  // Neck
        frame[2] = Keypoint(x: 50.5, y: 20.5, confidence: 1)  // RShoulder
        let painter = SkeletonPainter(width: 64, height: 40, lineWidth: 4, dotRadius: 3)
        let image = painter.draw(frame)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(image.pixels[(y * 64 + x) * 3 ..< (y * 64 + x) * 3 + 3]) }
        // Limb 0 (neck to right shoulder) in colour 0, (255, 0, 0), at 60 %: 153.
        #expect(pixel(30, 20) == [153, 0, 0])
        // The dots in their keypoints' colours: 1 is (255, 85, 0), 2 is (255, 170, 0).
        #expect(pixel(10, 20) == [255, 85, 0])
        #expect(pixel(50, 20) == [255, 170, 0])
        // Anti-aliased edge: 2 px half width, a pixel centre 2.5 px away is half covered.
        #expect(pixel(30, 18)[0] == 77 || pixel(30, 18)[0] == 76)
        #expect(pixel(30, 10) == [0, 0, 0] && pixel(0, 0) == [0, 0, 0])
    }
}

@Suite struct PoseRobustnessTests {
    @Test func extremeInputIsRefusedOrHandledWithoutCrashing() throws {
        // Coordinates far off the image draw nothing there, and do not overflow.
        var frame = [Keypoint](repeating: Keypoint(x: 1e300, y: -1e300, confidence: 1), count: 18)
        frame[0] = Keypoint(x: 5, y: 5, confidence: 1)
        let image = SkeletonPainter(width: 16, height: 16).draw(frame)
        #expect(image.pixels.count == 16 * 16 * 3)
        // A one-point figure is centred, not blown up.
        let dot = PoseSequence(layout: "dot", keypointCount: 1, fps: 30, canvasWidth: 10, canvasHeight: 10,
                               frames: [[Keypoint(x: 2, y: 3, confidence: 1)]])
        #expect(PoseRetargeting.fitFigure(margin: 0.1).apply(to: dot, width: 100, height: 50).frames[0][0] == Keypoint(x: 50, y: 25, confidence: 1))
        // Resampling that would make billions of frames is refused.
        var slow = dot
        slow.fps = 0.001
        slow.frames = [slow.frames[0], slow.frames[0]]
        expectError(.poses) { try PoseCleanup(resampleFPS: 1000).apply(to: slow) }
        // Joints nested absurdly deep are refused.
        let deep = "HIERARCHY\nROOT a\n" + String(repeating: "{ OFFSET 0 0 0 CHANNELS 0 JOINT b\n", count: 300)
        expectError(.poses) { try BVHFile(data: Data((deep + "MOTION\n").utf8), file: "deep.bvh") }
    }
}
