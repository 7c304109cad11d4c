package store_test

import (
	"encoding/json"
	"strconv"
)

func jsonNumber(i int) json.Number { return json.Number(strconv.Itoa(i)) }
