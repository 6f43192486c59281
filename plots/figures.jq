# figures.jq - turn iovbench reports into what the gnuplot scripts read.
#
#   jq -r --arg fig FIG --arg part PART -f plots/figures.jq REPORT.json
#   jq -r -s --arg fig platform --arg part PART -f plots/figures.jq A.json B.json...
#
# FIG: throughput, rss, syscalls (a run report); tune-batch, tune-coalesce
# (a tune report); platform (several run reports, slurped).
# PART: meta (gnuplot assignments: arrays of names, titles, sizes) or a data
# file: bars, limits (throughput and tune), sweep and best (tune), and the
# platform's bars. Data files hold one block per series, blocks separated
# by two blank lines (gnuplot's `index`); a series without a value gets a
# "NaN" row so that the block numbers stay put.

# ---- helpers ----------------------------------------------------------------

# a gnuplot double-quoted string literal (contents only / whole)
def gstr: tostring | gsub("\\\\"; "\\\\") | gsub("\""; "\\\"");
def gs: "\"" + gstr + "\"";

# unique values, first appearance first
def uniq: reduce .[] as $x ([]; if any(.[]; . == $x) then . else . + [$x] end);

# " warm" for a row of warm memory (run --memory), else ""
def warm: if .params.memory == "warm" then " warm" else "" end;

# a row as the run table labels it: "pwritev", "pwritev coalesce=64",
# "pwritev batch=16" (a batch other than the machine's IOV_MAX), "buffer
# warm"
def row_label($iovmax):
  .strategy
  + (if .strategy == "pwritev" and (.params.batch // $iovmax) != $iovmax
     then " batch=\(.params.batch)" else "" end)
  + (if (.params.coalesce // 0) > 0 then " coalesce=\(.params.coalesce)" else "" end)
  + (if .params.hugepage == true then " hugepage" else "" end)
  + warm;

# `array NAME[n] = [...]`, or nothing for an empty array
def garray($name):
  if length == 0 then empty
  else "array \($name)[\(length)] = ["
       + (map(if type == "string" then gs else tostring end) | join(", ")) + "]"
  end;

def round1: . * 10 | round / 10;
def size:
  if . >= 1073741824 then "\(. / 1073741824 | round1) GiB"
  elif . >= 1048576 then "\(. / 1048576 | round1) MiB"
  elif . >= 1024 then "\(. / 1024 | round1) KiB"
  else "\(.) B" end;

# a y range for log-scale bars, whole decades, with the smallest bar at
# least a factor 1.5 above the axis so that it shows
def yrange:
  if length == 0 then []
  else ["ylo = \(pow(10; min / 1.5 | log10 | floor))",
        "yhi = \(pow(10; max * 1.2 | log10 | ceil))"] end | .[];

def day: (.env.date // "")[0:10];
def place: "\(.env.host) \(.env.fs_type)";
def about: "\(.env.host), \(.env.fs_type), \(day), scale \(.config.scale)";

# line segments (each "x y\nx y") as one block's lines: a blank line
# between them, so that gnuplot does not join them
def segments: if length == 0 then [] else [join("\n\n")] end;

# blocks: an array of arrays of lines -> data file text
def blocks: map(if length == 0 then ["1 NaN"] else . end | join("\n")) | join("\n\n\n");

# ---- run report: bars by strategy per workload ------------------------------

def strategy_rows:
  (.env.iov_max // 0) as $m
  | [.results[] | select(.kind == "strategy") | . + {lab: row_label($m)}];
def workloads: [.[].workload] | uniq;
def series: map(.lab) | uniq;

# the value a bar shows, or null
def value($fig):
  if $fig == "throughput" then .throughput_mib_s
  elif $fig == "rss" then
    (.rss.peak_delta_bytes // null)
    | if . == null then null else ([., 4096] | max) / 1048576 end
  else
    (.syscalls.total // null) as $n
    | if $n == null or .bytes == 0 then null else $n / (.bytes / 1048576) end
  end;

def bars_meta($fig):
  . as $r
  | strategy_rows as $rows
  | ($rows | workloads) as $W
  | ($rows | series) as $S
  | [ "nw = \($W | length)",
      "ns = \($S | length)",
      # tick labels: the workload's name and, below it, its size
      ($W | map(. as $w
                | "\"" + ($w | gstr) + "\\n"
                  + ([$r.results[] | select(.workload == $w) | .bytes] | max | size) + "\"")
          | "array W[\(length)] = [" + join(", ") + "]"),
      ($S | garray("S")),
      ("width = " + ([960, 420 + ($W | length) * ($S | length) * 22] | max | tostring)),
      ("title = " + (if $fig == "throughput" then "Throughput by strategy; lines: the reference rows"
                     elif $fig == "rss" then "Peak RSS growth of the write region by strategy"
                     else "System calls per MiB written by strategy" end
                     + " (" + ($r | about) + ")" | gs)),
      ("clamped = " + ([$rows[] | select($fig == "rss" and (.rss.peak_delta_bytes // 4096) < 4096)]
                       | length | tostring)),
      ("nvalues = " + ([$rows[] | value($fig) | select(. != null)] | length | tostring)),
      ([ ($rows[] | value($fig) | select(. != null)),
         ($r.results[] | select($fig == "throughput" and .kind == "reference")
          | .throughput_mib_s) ] | yrange)
    ]
  | .[];

def bars_data($fig):
  strategy_rows as $rows
  | ($rows | workloads) as $W
  | ($rows | series) as $S
  | [ $S[] as $s
      | [ $rows[] | select(.lab == $s) | value($fig) as $v | select($v != null)
          | .workload as $w
          | "\(($W | index($w)) + 1) \($v)" ] ]
  | blocks;

# the reference rows as short lines across each workload's bars, one
# series for each reference row and memory
def limit_names: ["gather-limit", "pwrite-limit", "gather-limit warm", "pwrite-limit warm"];
def present_limits: [.results[] | select(.kind == "reference") | .strategy + warm] as $have
  | [limit_names[] | select(. as $l | $have | index($l))];

def limits_meta:
  present_limits | (["nl = \(length)"] + [garray("L")]) | .[];

def limits_data:
  . as $r
  | (strategy_rows | workloads) as $W
  | [ present_limits[] as $l
      | [ $r.results[] | select(.kind == "reference" and .strategy + warm == $l)
          | .workload as $w | ($W | index($w)) as $i | select($i != null)
          | "\($i + 0.55) \(.throughput_mib_s)\n\($i + 1.45) \(.throughput_mib_s)" ]
      | segments ]
  | blocks;

# ---- tune report: throughput along one sweep ----------------------------------

def tune_axis($fig): if $fig == "tune-batch" then "batch" else "coalesce" end;

def sweep_rows($fig):
  .tune.defaults as $d
  | tune_axis($fig) as $ax
  | [ .results[] | select(.kind == "strategy" and .strategy == "pwritev")
      | select(if $ax == "batch" then .params.coalesce == $d.coalesce
               else .params.batch == $d.batch end)
      | {w: .workload, x: .params[$ax], y: .throughput_mib_s} ];

# where x = 0 (coalescing off) is drawn on the log axis: half the smallest
# positive value, with its own "0" tick
def zero_at($pts): ([$pts[].x | select(. > 0)] | min // 2) / 2;
def xpos($z): if . == 0 then $z else . end;

def tune_frame($fig):
  sweep_rows($fig) as $pts
  | zero_at($pts) as $z
  | ([$pts[].x | xpos($z)]) as $xs
  | { pts: $pts, z: $z,
      W: ([$pts[].w] | uniq),
      lo: (($xs | min // 1) / 1.5), hi: (($xs | max // 2) * 1.5),
      ticks: ([$pts[].x] | unique) };

def tune_meta($fig):
  . as $r
  | tune_frame($fig) as $f
  | .tune.defaults as $d
  | [ "nw = \($f.W | length)", "nvalues = \($f.pts | length)",
      ($f.W | garray("W")),
      "xlo = \($f.lo)", "xhi = \($f.hi)",
      "set xtics (" + ($f.ticks | map("\"\(.)\" \(xpos($f.z))") | join(", ")) + ")",
      ("xlabel = " + (if $fig == "tune-batch"
                      then "batch limit (iovecs per pwritev call, log2 scale)"
                      else "coalescing threshold (bytes, log2 scale; 0 = off, drawn at the left)" end
                      | gs)),
      ("title = " + ("pwritev throughput against the "
                     + (if $fig == "tune-batch" then "batch limit (coalesce \($d.coalesce))"
                        else "coalescing threshold (batch \($d.batch))" end)
                     + " (" + ($r | about) + ")" | gs)) ]
  | .[];

def tune_sweep($fig):
  tune_frame($fig) as $f
  | [ $f.W[] as $w
      | [ $f.pts | map(select(.w == $w)) | sort_by(.x)[] | "\(.x | xpos($f.z)) \(.y)" ] ]
  | blocks;

# per workload two blocks: pwrite-limit, then gather-limit
def tune_limits($fig):
  . as $r
  | tune_frame($fig) as $f
  | [ $f.W[] as $w
      | ("pwrite-limit", "gather-limit") as $l
      | [ $r.results[] | select(.workload == $w and .kind == "reference" and .strategy == $l)
          | "\($f.lo) \(.throughput_mib_s)\n\($f.hi) \(.throughput_mib_s)" ]
      | segments ]
  | blocks;

# the best setting `tune` chose, when it lies on this sweep
def tune_best($fig):
  .tune.defaults as $d
  | tune_axis($fig) as $ax
  | tune_frame($fig) as $f
  | [ [ .tune.workloads[] | select(.best != null) | . as $t
        | ($f.W | index($t.workload)) as $i | select($i != null)
        | select(if $ax == "batch" then $t.best.coalesce == $d.coalesce
                 else $t.best.batch == $d.batch end)
        | "\($t.best[$ax] | xpos($f.z)) \($t.best.throughput_mib_s) \($i + 1)" ] ]
  | blocks;

# ---- several run reports: ratio to pwrite-limit per platform ------------------

def report_labels:
  map(place) as $p
  | [ range(0; length) as $i | .[$i] as $r
      | if ([$p[] | select(. == $p[$i])] | length) > 1
        then "\($p[$i]) \($r | day)" else $p[$i] end ] as $q
  | [ range(0; $q | length) as $i
      | if ([$q[] | select(. == $q[$i])] | length) > 1 then "\($q[$i]) #\($i + 1)" else $q[$i] end ];

def platform_cats:
  [ .[] | strategy_rows[] | {w: .workload, l: .lab} ] as $c
  | ([$c[].w] | uniq) as $W
  | [ $W[] as $w | [$c[] | select(.w == $w) | .l] | uniq | map({w: $w, l: .}) ]
  | reduce .[] as $g ({x: 1, cats: [], G: [], GX: [], SEP: []};
      .x as $x0
      | .cats += [$g | to_entries[] | .value + {x: ($x0 + .key)}]
      | .G += [$g[0].w]
      | .GX += [$x0 + (($g | length) - 1) / 2]
      | .SEP += [$x0 + ($g | length)]
      | .x = $x0 + ($g | length) + 1)
  | .SEP |= .[0:-1];

def platform_meta:
  platform_cats as $f
  | report_labels as $R
  | [ "nr = \($R | length)", ($R | garray("R")),
      "nc = \($f.cats | length)",
      ($f.cats | map(.l) | garray("CL")), ($f.cats | map(.x) | garray("CX")),
      "ng = \($f.G | length)", ($f.G | garray("G")), ($f.GX | garray("GX")),
      "nsep = \($f.SEP | length)", ($f.SEP | garray("SEP")),
      "xhi = \($f.x - 2)",
      ("nvalues = " + ([.[] | strategy_rows[] | select(.ratio.pwrite_limit != null)] | length | tostring)),
      ([.[] | strategy_rows[] | .ratio.pwrite_limit | select(. != null)] + [1] | yrange),
      ("width = " + ([960, 300 + ($f.cats | length) * ($R | length) * 16] | max | tostring)),
      ("title = " + ("Each strategy against one pwrite of a warm buffer, per platform ("
                     + ([.[] | day] | uniq | join(", ")) + ")" | gs)) ]
  | .[];

def platform_data:
  platform_cats as $f
  | [ .[] | strategy_rows as $rows
      | [ $f.cats[] as $c
          | $rows[] | select(.workload == $c.w and .lab == $c.l and .ratio.pwrite_limit != null)
          | "\($c.x) \(.ratio.pwrite_limit)" ] ]
  | blocks;

# ---- dispatch -----------------------------------------------------------------

if $fig == "platform" then
  (if $part == "meta" then platform_meta else platform_data end)
elif $fig == "tune-batch" or $fig == "tune-coalesce" then
  (if $part == "meta" then tune_meta($fig)
   elif $part == "sweep" then tune_sweep($fig)
   elif $part == "limits" then tune_limits($fig)
   else tune_best($fig) end)
else
  (if $part == "meta" then bars_meta($fig), (if $fig == "throughput" then limits_meta else "nl = 0" end)
   elif $part == "limits" then limits_data
   else bars_data($fig) end)
end
