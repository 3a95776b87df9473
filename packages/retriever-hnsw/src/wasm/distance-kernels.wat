;; Distance kernels of @ragloom/retriever-hnsw (WebAssembly SIMD, 128-bit).
;;
;; Source of src/wasm/distance-kernels-wasm.ts, which `pnpm generate:wasm` regenerates (the test
;; suite checks that it is up to date). Vectors are float32 and padded with zeros to a multiple
;; of 16 floats (64 bytes), so the SIMD loops need no tail; `bytes` is that padded length.
;; The memory import is rewritten to `(memory 1 65536 shared)` for the variant builder threads
;; share (scripts/generate-wasm.mjs assembles both).
(module
  (import "env" "memory" (memory 1))

  ;; Dot product of two padded vectors: four float32x4 accumulators, 16 floats per iteration.
  (func $dot (export "dot") (param $a i32) (param $b i32) (param $bytes i32) (result f32)
    (local $end i32) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $end (i32.add (local.get $a) (local.get $bytes)))
    (loop $next
      (local.set $s0 (f32x4.add (local.get $s0)
        (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (local.set $s1 (f32x4.add (local.get $s1)
        (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
      (local.set $s2 (f32x4.add (local.get $s2)
        (f32x4.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
      (local.set $s3 (f32x4.add (local.get $s3)
        (f32x4.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (local.set $s0 (f32x4.add
      (f32x4.add (local.get $s0) (local.get $s1))
      (f32x4.add (local.get $s2) (local.get $s3))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
      (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))

  ;; Squared L2 distance of two padded vectors.
  (func $l2 (export "l2") (param $a i32) (param $b i32) (param $bytes i32) (result f32)
    (local $end i32) (local $d v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $end (i32.add (local.get $a) (local.get $bytes)))
    (loop $next
      (local.set $d (f32x4.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (local.set $s0 (f32x4.add
      (f32x4.add (local.get $s0) (local.get $s1))
      (f32x4.add (local.get $s2) (local.get $s3))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
      (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))

  ;; Dot products of the query with two vectors at once: two independent memory streams keep
  ;; more cache misses in flight than one (the batch is memory-bound on large indexes).
  (func $dot2 (param $q i32) (param $a i32) (param $b i32) (param $bytes i32) (param $out i32)
    (local $end i32) (local $x v128)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local.set $end (i32.add (local.get $q) (local.get $bytes)))
    (loop $next
      (local.set $x (v128.load offset=0 (local.get $q)))
      (local.set $a0 (f32x4.add (local.get $a0)
        (f32x4.mul (local.get $x) (v128.load offset=0 (local.get $a)))))
      (local.set $b0 (f32x4.add (local.get $b0)
        (f32x4.mul (local.get $x) (v128.load offset=0 (local.get $b)))))
      (local.set $x (v128.load offset=16 (local.get $q)))
      (local.set $a1 (f32x4.add (local.get $a1)
        (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $a)))))
      (local.set $b1 (f32x4.add (local.get $b1)
        (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $b)))))
      (local.set $x (v128.load offset=32 (local.get $q)))
      (local.set $a0 (f32x4.add (local.get $a0)
        (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $a)))))
      (local.set $b0 (f32x4.add (local.get $b0)
        (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $b)))))
      (local.set $x (v128.load offset=48 (local.get $q)))
      (local.set $a1 (f32x4.add (local.get $a1)
        (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $a)))))
      (local.set $b1 (f32x4.add (local.get $b1)
        (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $b)))))
      (local.set $q (i32.add (local.get $q) (i32.const 64)))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (br_if $next (i32.lt_u (local.get $q) (local.get $end))))
    (local.set $a0 (f32x4.add (local.get $a0) (local.get $a1)))
    (local.set $b0 (f32x4.add (local.get $b0) (local.get $b1)))
    (f32.store (local.get $out)
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
        (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
    (f32.store offset=4 (local.get $out)
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $b0)) (f32x4.extract_lane 1 (local.get $b0)))
        (f32.add (f32x4.extract_lane 2 (local.get $b0)) (f32x4.extract_lane 3 (local.get $b0))))))

  ;; Squared L2 distances of the query to two vectors at once (see $dot2).
  (func $l2x2 (param $q i32) (param $a i32) (param $b i32) (param $bytes i32) (param $out i32)
    (local $end i32) (local $x v128) (local $d v128)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local.set $end (i32.add (local.get $q) (local.get $bytes)))
    (loop $next
      (local.set $x (v128.load offset=0 (local.get $q)))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=0 (local.get $a))))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=0 (local.get $b))))
      (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $x (v128.load offset=16 (local.get $q)))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=16 (local.get $a))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=16 (local.get $b))))
      (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $x (v128.load offset=32 (local.get $q)))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=32 (local.get $a))))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=32 (local.get $b))))
      (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $x (v128.load offset=48 (local.get $q)))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=48 (local.get $a))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $d (f32x4.sub (local.get $x) (v128.load offset=48 (local.get $b))))
      (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $d) (local.get $d))))
      (local.set $q (i32.add (local.get $q) (i32.const 64)))
      (local.set $a (i32.add (local.get $a) (i32.const 64)))
      (local.set $b (i32.add (local.get $b) (i32.const 64)))
      (br_if $next (i32.lt_u (local.get $q) (local.get $end))))
    (local.set $a0 (f32x4.add (local.get $a0) (local.get $a1)))
    (local.set $b0 (f32x4.add (local.get $b0) (local.get $b1)))
    (f32.store (local.get $out)
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
        (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
    (f32.store offset=4 (local.get $out)
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $b0)) (f32x4.extract_lane 1 (local.get $b0)))
        (f32.add (f32x4.extract_lane 2 (local.get $b0)) (f32x4.extract_lane 3 (local.get $b0))))))

  ;; out[i] = dot(query, base + slots[i] * stride) for i < count: one call per expanded node,
  ;; two vectors at a time.
  (func $dotBatch (export "dotBatch")
    (param $query i32) (param $base i32) (param $stride i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $slots) (i32.shl (i32.and (local.get $count) (i32.const -2)) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (call $dot2
          (local.get $query)
          (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=4 (local.get $slots)) (local.get $stride)))
          (local.get $stride)
          (local.get $out))
        (local.set $slots (i32.add (local.get $slots) (i32.const 8)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end)))))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (f32.store (local.get $out)
          (call $dot
            (local.get $query)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
            (local.get $stride))))))

  ;; out[i] = squared L2(query, base + slots[i] * stride) for i < count: one call per expanded node,
  ;; two vectors at a time.
  (func (export "l2Batch")
    (param $query i32) (param $base i32) (param $stride i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $slots) (i32.shl (i32.and (local.get $count) (i32.const -2)) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (call $l2x2
          (local.get $query)
          (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=4 (local.get $slots)) (local.get $stride)))
          (local.get $stride)
          (local.get $out))
        (local.set $slots (i32.add (local.get $slots) (i32.const 8)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end)))))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (f32.store (local.get $out)
          (call $l2
            (local.get $query)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
            (local.get $stride))))))


  ;; Cosine distances: out[i] = 1 - dot(query, v) · (1/‖q‖) · (1/‖v‖), with the inverse norms of
  ;; the stored vectors in a float32 array at $inverseNorms (one per slot).
  (func (export "cosineBatch")
    (param $query i32) (param $base i32) (param $stride i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (param $inverseNorms i32) (param $queryInverseNorm f32)
    (local $end i32)
    (call $dotBatch (local.get $query) (local.get $base) (local.get $stride)
      (local.get $slots) (local.get $count) (local.get $out))
    (local.set $end (i32.add (local.get $slots) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (f32.store (local.get $out)
          (f32.sub (f32.const 1)
            (f32.mul
              (f32.mul (f32.load (local.get $out)) (local.get $queryInverseNorm))
              (f32.load (i32.add (local.get $inverseNorms) (i32.shl (i32.load (local.get $slots)) (i32.const 2)))))))
        (local.set $slots (i32.add (local.get $slots) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end))))))

  ;; Negated dot products (a distance: smaller is closer): out[i] = -dot(query, v).
  (func (export "negativeDotBatch")
    (param $query i32) (param $base i32) (param $stride i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (local $end i32)
    (call $dotBatch (local.get $query) (local.get $base) (local.get $stride)
      (local.get $slots) (local.get $count) (local.get $out))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (loop $next
        (f32.store (local.get $out) (f32.neg (f32.load (local.get $out))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $out) (local.get $end))))))

  ;; Reference dot product over `n` floats: sequential float64 sum, bit-identical to
  ;; @ragloom/core's dot() (same order, same IEEE operations).
  (func $dotF64 (export "dotF64") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $s f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (loop $next
        (local.set $s (f64.add (local.get $s)
          (f64.mul (f64.promote_f32 (f32.load (local.get $a))) (f64.promote_f32 (f32.load (local.get $b))))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $a) (local.get $end)))))
    (local.get $s))

  ;; Reference squared L2 over `n` floats, bit-identical to @ragloom/core's squaredL2().
  (func $l2F64 (export "l2F64") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $end i32) (local $s f64) (local $d f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (loop $next
        (local.set $d (f64.sub (f64.promote_f32 (f32.load (local.get $a))) (f64.promote_f32 (f32.load (local.get $b)))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d) (local.get $d))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $a) (local.get $end)))))
    (local.get $s))

  ;; Reference dot products of the query with four vectors at once: four
  ;; independent sequential float64 sums (each bit-identical to $dotF64), so the CPU overlaps
  ;; their addition chains.
  (func $dotF64x4 (param $q i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $n i32) (param $out i32)
    (local $end i32) (local $x f64) (local $t f64) (local $sa f64) (local $sb f64) (local $sc f64) (local $sd f64)
    (local.set $end (i32.add (local.get $q) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
      (loop $next
        (local.set $x (f64.promote_f32 (f32.load (local.get $q))))
        (local.set $sa (f64.add (local.get $sa) (f64.mul (local.get $x) (f64.promote_f32 (f32.load (local.get $a))))))
        (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $x) (f64.promote_f32 (f32.load (local.get $b))))))
        (local.set $sc (f64.add (local.get $sc) (f64.mul (local.get $x) (f64.promote_f32 (f32.load (local.get $c))))))
        (local.set $sd (f64.add (local.get $sd) (f64.mul (local.get $x) (f64.promote_f32 (f32.load (local.get $d))))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $q) (local.get $end)))))
    (f64.store (local.get $out) (local.get $sa))
    (f64.store offset=8 (local.get $out) (local.get $sb))
    (f64.store offset=16 (local.get $out) (local.get $sc))
    (f64.store offset=24 (local.get $out) (local.get $sd)))

  ;; Reference squared L2 distances of the query with four vectors at once: four
  ;; independent sequential float64 sums (each bit-identical to $l2F64), so the CPU overlaps
  ;; their addition chains.
  (func $l2F64x4 (param $q i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $n i32) (param $out i32)
    (local $end i32) (local $x f64) (local $t f64) (local $sa f64) (local $sb f64) (local $sc f64) (local $sd f64)
    (local.set $end (i32.add (local.get $q) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
      (loop $next
        (local.set $x (f64.promote_f32 (f32.load (local.get $q))))
        (local.set $t (f64.sub (local.get $x) (f64.promote_f32 (f32.load (local.get $a)))))
        (local.set $sa (f64.add (local.get $sa) (f64.mul (local.get $t) (local.get $t))))
        (local.set $t (f64.sub (local.get $x) (f64.promote_f32 (f32.load (local.get $b)))))
        (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $t) (local.get $t))))
        (local.set $t (f64.sub (local.get $x) (f64.promote_f32 (f32.load (local.get $c)))))
        (local.set $sc (f64.add (local.get $sc) (f64.mul (local.get $t) (local.get $t))))
        (local.set $t (f64.sub (local.get $x) (f64.promote_f32 (f32.load (local.get $d)))))
        (local.set $sd (f64.add (local.get $sd) (f64.mul (local.get $t) (local.get $t))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $q) (local.get $end)))))
    (f64.store (local.get $out) (local.get $sa))
    (f64.store offset=8 (local.get $out) (local.get $sb))
    (f64.store offset=16 (local.get $out) (local.get $sc))
    (f64.store offset=24 (local.get $out) (local.get $sd)))

  ;; out[i] = dot(query, base + slots[i] * stride) over `n` floats, as float64 (bit-identical to
  ;; core), for i < count: four at a time, then one by one.
  (func (export "dotF64Batch")
    (param $query i32) (param $base i32) (param $stride i32) (param $n i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $slots) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (call $dotF64x4
          (local.get $query)
          (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=4 (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=8 (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=12 (local.get $slots)) (local.get $stride)))
          (local.get $n)
          (local.get $out))
        (local.set $slots (i32.add (local.get $slots) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end)))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $count) (i32.const 3)) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (f64.store (local.get $out)
          (call $dotF64
            (local.get $query)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
            (local.get $n)))
        (local.set $slots (i32.add (local.get $slots) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end))))))

  ;; out[i] = squared L2(query, base + slots[i] * stride) over `n` floats, as float64 (bit-identical to
  ;; core), for i < count: four at a time, then one by one.
  (func (export "l2F64Batch")
    (param $query i32) (param $base i32) (param $stride i32) (param $n i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $slots) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (call $l2F64x4
          (local.get $query)
          (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=4 (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=8 (local.get $slots)) (local.get $stride)))
          (i32.add (local.get $base) (i32.mul (i32.load offset=12 (local.get $slots)) (local.get $stride)))
          (local.get $n)
          (local.get $out))
        (local.set $slots (i32.add (local.get $slots) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 32)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end)))))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $count) (i32.const 3)) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (f64.store (local.get $out)
          (call $l2F64
            (local.get $query)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
            (local.get $n)))
        (local.set $slots (i32.add (local.get $slots) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end))))))

  ;; ---- Quantized codes (rows padded to a multiple of 16 bytes; the query padded with zeros) ----

  ;; Σ weight[j] · code[j] for one row of unsigned 8-bit codes and int16 query weights, exactly in
  ;; int32: codes widened to int16, i32x4.dot_i16x8_s, 16 codes per iteration. `bytes` is the padded
  ;; row length; the weights are a padded row of int16 (2 · bytes bytes), scaled so the sum cannot
  ;; overflow.
  (func $u8Dot (export "u8Dot") (param $q i32) (param $x i32) (param $bytes i32) (result i32)
    (local $end i32) (local $c v128) (local $s0 v128) (local $s1 v128)
    (local.set $end (i32.add (local.get $x) (local.get $bytes)))
    (loop $next
      (local.set $c (v128.load (local.get $x)))
      (local.set $s0 (i32x4.add (local.get $s0)
        (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $c)) (v128.load (local.get $q)))))
      (local.set $s1 (i32x4.add (local.get $s1)
        (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $c)) (v128.load offset=16 (local.get $q)))))
      (local.set $q (i32.add (local.get $q) (i32.const 32)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $x) (local.get $end))))
    (local.set $s0 (i32x4.add (local.get $s0) (local.get $s1)))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $s0)) (i32x4.extract_lane 1 (local.get $s0)))
      (i32.add (i32x4.extract_lane 2 (local.get $s0)) (i32x4.extract_lane 3 (local.get $s0)))))

  ;; Distances from a query to int8-quantized rows (x̂ = offset + scale ⊙ code): with the query
  ;; prepared as int16 weights ≈ (q ⊙ scale) · $weightScale at $query and q·offset as $qOffset,
  ;; d = q·x̂ = $qOffset + u8Dot / $weightScale (float32: $inverseScale = 1 / $weightScale); then
  ;; mode 0 (dot) out = -d, mode 1 (cosine) out = 1 - d · $qFactor · aux[slot] ($qFactor = 1/‖q‖,
  ;; aux = 1/‖x‖), mode 2 (l2) out = $qFactor - 2d + aux[slot] ($qFactor = ‖q‖², aux = ‖x̂‖²).
  (func (export "int8Batch")
    (param $query i32) (param $base i32) (param $stride i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (param $aux i32) (param $mode i32) (param $qOffset f32) (param $qFactor f32) (param $inverseScale f32)
    (local $end i32) (local $slot i32) (local $d f32)
    (local.set $end (i32.add (local.get $slots) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (local.set $slot (i32.load (local.get $slots)))
        (local.set $d (f32.add (local.get $qOffset)
          (f32.mul
            (f32.convert_i32_s (call $u8Dot (local.get $query)
              (i32.add (local.get $base) (i32.mul (local.get $slot) (local.get $stride)))
              (local.get $stride)))
            (local.get $inverseScale))))
        (f32.store (local.get $out)
          (if (result f32) (i32.eqz (local.get $mode))
            (then (f32.neg (local.get $d)))
            (else
              (if (result f32) (i32.eq (local.get $mode) (i32.const 1))
                (then (f32.sub (f32.const 1) (f32.mul (f32.mul (local.get $d) (local.get $qFactor))
                  (f32.load (i32.add (local.get $aux) (i32.shl (local.get $slot) (i32.const 2)))))))
                (else (f32.add (f32.sub (local.get $qFactor) (f32.add (local.get $d) (local.get $d)))
                  (f32.load (i32.add (local.get $aux) (i32.shl (local.get $slot) (i32.const 2))))))))))
        (local.set $slots (i32.add (local.get $slots) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end))))))

  ;; Hamming distance of two rows of packed bits: popcount of the XOR, 16 bytes per iteration.
  (func $hamming (export "hamming") (param $a i32) (param $b i32) (param $bytes i32) (result i32)
    (local $end i32) (local $s v128)
    (local.set $end (i32.add (local.get $a) (local.get $bytes)))
    (loop $next
      (local.set $s (i32x4.add (local.get $s)
        (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u
          (i8x16.popcnt (v128.xor (v128.load (local.get $a)) (v128.load (local.get $b))))))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $a) (local.get $end))))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $s)) (i32x4.extract_lane 1 (local.get $s)))
      (i32.add (i32x4.extract_lane 2 (local.get $s)) (i32x4.extract_lane 3 (local.get $s)))))

  ;; out[i] = Hamming(query, base + slots[i] · stride) as float32, for i < count.
  (func (export "hammingBatch")
    (param $query i32) (param $base i32) (param $stride i32)
    (param $slots i32) (param $count i32) (param $out i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $slots) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $slots) (local.get $end)))
      (loop $next
        (f32.store (local.get $out)
          (f32.convert_i32_u (call $hamming (local.get $query)
            (i32.add (local.get $base) (i32.mul (i32.load (local.get $slots)) (local.get $stride)))
            (local.get $stride))))
        (local.set $slots (i32.add (local.get $slots) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get $slots) (local.get $end))))))
)
