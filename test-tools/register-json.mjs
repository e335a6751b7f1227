import { register } from "node:module";
register(new URL("./json-loader.mjs", import.meta.url));
