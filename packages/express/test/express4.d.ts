// Express 4 is installed under the alias `express4`; its API is close enough to the v5 types for tests.
declare module 'express4' {
  import express = require('express');
  export = express;
}
