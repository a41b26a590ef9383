// Converts Natural Earth's 110m admin-0 countries (public domain), as TopoJSON in the npm
// package world-atlas@2.0.2 (countries-110m.json), into crates/service/data/countries-110m.svgpaths:
// one line per country, its ISO 3166-1 numeric code and its SVG path in the Equal Earth
// projection fitted to 960 x 470, coordinates rounded to 0.1. Run once by a person, never by the
// build or CI (nothing may download at build or run time); commit the output.
//
//   mkdir /tmp/ne && cd /tmp/ne && npm pack world-atlas@2.0.2 topojson-client@3.1.0 d3-geo@3.1.2 \
//     d3-array@3.2.5 internmap@2.0.3   # then unpack each into node_modules/<name>
//   node path/to/natural-earth-svgpaths.mjs > crates/service/data/countries-110m.svgpaths
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { feature } from "topojson-client";
import { geoEqualEarth, geoPath } from "d3-geo";

const require = createRequire(import.meta.url);
const topology = JSON.parse(readFileSync(require.resolve("world-atlas/countries-110m.json"), "utf8"));
const countries = feature(topology, topology.objects.countries);
const width = 960, height = 470;
const projection = geoEqualEarth().fitExtent([[4, 4], [width - 4, height - 4]], { type: "Sphere" });
const path = geoPath(projection).digits(1);
// Features world-atlas leaves without a numeric code: Kosovo has the user-assigned XK (383 in
// the list the registry checks codes against); the others have none and are drawn as land only.
const NAMED = { Kosovo: "383" };
console.log("# Natural Earth 110m admin-0 countries (public domain, https://www.naturalearthdata.com/),");
console.log("# from the npm package world-atlas@2.0.2 (countries-110m.json, ISC licence), converted by");
console.log("# scripts/pictures/natural-earth-svgpaths.mjs: Equal Earth projection, 960 x 470, 0.1 rounding.");
console.log("# Each line: ISO 3166-1 numeric code (`-` for none), a space, the SVG path; `#` lines are comments.");
console.log(`sphere ${path({ type: "Sphere" })}`);
for (const f of countries.features) {
  const code = f.id ?? NAMED[f.properties.name] ?? "-";
  const d = path(f);
  if (d) console.log(`${code} ${d}`);
}
